package io.pgtrickle.sql.plan;

import java.util.Objects;

/**
 * One output column of the query.
 *
 * @param expr the expression
 * @param outputName the column's name: its alias, else the column name of a bare column reference,
 *     else the name PostgreSQL would give it ({@code count}, {@code ?column?})
 */
public record SelectItem(SqlExpr expr, String outputName) {
  public SelectItem {
    Objects.requireNonNull(expr, "expr");
    Objects.requireNonNull(outputName, "outputName");
  }
}
