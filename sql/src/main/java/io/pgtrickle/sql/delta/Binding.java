package io.pgtrickle.sql.delta;

/** What a table alias stands for in one term of a delta. */
enum Binding {
  /** The table as it is now (after the changes). */
  POST,
  /** The table's pending changes, each row with weight {@code __pgt_w} of +1 or −1. */
  DELTA,
  /** A single row of NULLs: the padding side of a LEFT JOIN that found no match. */
  NULL_ROW
}
