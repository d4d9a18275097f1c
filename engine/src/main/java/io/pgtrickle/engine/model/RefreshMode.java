package io.pgtrickle.engine.model;

import io.pgtrickle.errors.PgTrickleException;

/** How a stream table is brought up to date. */
public enum RefreshMode {
  /** DIFFERENTIAL when the query can be maintained incrementally, FULL otherwise. */
  AUTO,
  /** Re-run the whole query and merge the difference into the table. */
  FULL,
  /** Apply only the changes since the last refresh, on a schedule. */
  DIFFERENTIAL,
  /** Apply changes inside the writing transaction. */
  IMMEDIATE;

  /**
   * Whether refreshes apply captured changes (DIFFERENTIAL, and IMMEDIATE, whose maintenance in the
   * writer's transaction is a differential refresh of that transaction's changes), so sources carry
   * capture triggers and the stream table has frontiers.
   */
  public boolean isIncremental() {
    return this == DIFFERENTIAL || this == IMMEDIATE;
  }

  /** Parses the {@code refresh_mode} parameter. */
  public static RefreshMode parse(String value) throws PgTrickleException {
    return Keywords.parse(RefreshMode.class, "refresh_mode", value);
  }
}
