package io.pgtrickle.engine.refresh;

/** What a refresh did, as recorded in {@code pgt_refresh_history.action}. */
public enum RefreshAction {
  /** Nothing had changed. */
  NO_DATA,
  /** The query was re-run and the difference merged. */
  FULL,
  /** Only the changes were applied. */
  DIFFERENTIAL,
  /** The storage table was rebuilt. */
  REINITIALIZE,
  /** The refresh was skipped. */
  SKIP
}
