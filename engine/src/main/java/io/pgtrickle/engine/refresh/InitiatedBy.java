package io.pgtrickle.engine.refresh;

/** Who asked for a refresh, as recorded in {@code pgt_refresh_history.initiated_by}. */
public enum InitiatedBy {
  /** The scheduler. */
  SCHEDULER,
  /** A call of {@code refresh_stream_table}. */
  MANUAL,
  /** The population of a new or re-defined stream table. */
  INITIAL
}
