package io.pgtrickle.sql.plan;

import java.util.Objects;

/**
 * One aggregate call of the query, such as {@code sum(o.amount)}.
 *
 * @param function the aggregate's name in lower case: count, sum, avg, min or max
 * @param argument the argument, or null for {@code count(*)}
 * @param distinct whether the call is {@code f(DISTINCT x)}; always false today, since such calls
 *     are rejected, and kept so the model can grow without changing shape
 * @param sql the whole call as SQL, in the same form as {@link SqlExpr#sql()}
 */
public record AggregateCall(String function, SqlExpr argument, boolean distinct, String sql) {
  public AggregateCall {
    Objects.requireNonNull(function, "function");
    Objects.requireNonNull(sql, "sql");
  }
}
