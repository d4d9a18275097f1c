package io.pgtrickle.sql.plan;

import java.util.Objects;

/**
 * One ORDER BY key.
 *
 * @param expr the sort expression
 * @param descending whether DESC was given
 * @param nullsFirst true for NULLS FIRST, false for NULLS LAST, null when not written (the default:
 *     nulls sort as if larger than any value)
 */
public record OrderItem(SqlExpr expr, boolean descending, Boolean nullsFirst) {
  public OrderItem {
    Objects.requireNonNull(expr, "expr");
  }
}
