package io.pgtrickle.sql.plan;

import java.util.List;
import java.util.Objects;

/**
 * A planned defining query: one SELECT block over tables and inner/left joins.
 *
 * @param from the FROM tree
 * @param where the WHERE condition, or null
 * @param select the output columns, in order
 * @param groupBy the GROUP BY expressions, empty if none
 * @param aggregated whether the query groups: it has GROUP BY, HAVING or an aggregate call
 * @param having the HAVING condition, or null
 * @param distinct the DISTINCT clause
 * @param orderBy the ORDER BY keys; meaningful for DISTINCT ON, otherwise recorded only
 * @param aggregates the distinct aggregate calls in the select list, HAVING and ORDER BY, in order
 *     of first appearance
 */
public record QueryBlock(
    FromItem from,
    SqlExpr where,
    List<SelectItem> select,
    List<SqlExpr> groupBy,
    boolean aggregated,
    SqlExpr having,
    Distinct distinct,
    List<OrderItem> orderBy,
    List<AggregateCall> aggregates) {
  public QueryBlock {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(distinct, "distinct");
    select = List.copyOf(select);
    groupBy = List.copyOf(groupBy);
    orderBy = List.copyOf(orderBy);
    aggregates = List.copyOf(aggregates);
    if (select.isEmpty()) {
      throw new IllegalArgumentException("a query needs an output column");
    }
    if (!aggregated && (!groupBy.isEmpty() || having != null || !aggregates.isEmpty())) {
      throw new IllegalArgumentException("GROUP BY, HAVING or aggregates imply aggregated");
    }
  }

  /** The table references of the FROM tree, left to right. */
  public List<TableRef> tables() {
    return from.tables();
  }
}
