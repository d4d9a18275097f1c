package io.pgtrickle.sql.plan;

/** Where an expression stands in the query, which decides whether it may call aggregates. */
enum Clause {
  SELECT("the select list", true),
  WHERE("WHERE", false),
  JOIN_ON("a join condition", false),
  GROUP_BY("GROUP BY", false),
  HAVING("HAVING", true),
  DISTINCT_ON("DISTINCT ON", true),
  ORDER_BY("ORDER BY", true),
  AGGREGATE_ARGUMENT("an aggregate's argument", false);

  private final String label;
  private final boolean aggregatesAllowed;

  Clause(String label, boolean aggregatesAllowed) {
    this.label = label;
    this.aggregatesAllowed = aggregatesAllowed;
  }

  /** How error messages name the clause. */
  String label() {
    return label;
  }

  /** Whether an aggregate call may appear here. */
  boolean aggregatesAllowed() {
    return aggregatesAllowed;
  }
}
