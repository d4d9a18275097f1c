package io.pgtrickle.sql.plan;

import java.util.List;

/** The query's DISTINCT clause: none, {@code DISTINCT}, or {@code DISTINCT ON (keys)}. */
public sealed interface Distinct {
  /** No DISTINCT. */
  Distinct NONE = new None();

  /** Plain {@code SELECT DISTINCT}. */
  Distinct ALL = new All();

  /** No DISTINCT clause. */
  record None() implements Distinct {}

  /** {@code SELECT DISTINCT}: duplicates of the whole output row are removed. */
  record All() implements Distinct {}

  /**
   * {@code SELECT DISTINCT ON (keys)}: one row per key, the first in ORDER BY order.
   *
   * @param keys the key expressions, at least one
   */
  record On(List<SqlExpr> keys) implements Distinct {
    public On {
      keys = List.copyOf(keys);
      if (keys.isEmpty()) {
        throw new IllegalArgumentException("DISTINCT ON needs a key");
      }
    }
  }
}
