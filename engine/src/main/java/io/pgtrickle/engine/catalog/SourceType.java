package io.pgtrickle.engine.catalog;

/** What kind of relation a stream table reads. */
public enum SourceType {
  /** A plain or partitioned table. */
  TABLE,
  /** Another stream table. */
  STREAM_TABLE,
  /** A view. */
  VIEW,
  /** A materialized view. */
  MATVIEW,
  /** A foreign table. */
  FOREIGN_TABLE
}
