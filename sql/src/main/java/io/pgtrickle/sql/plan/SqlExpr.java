package io.pgtrickle.sql.plan;

import java.util.Objects;
import java.util.Set;

/**
 * A scalar expression of the defining query, ready to be re-emitted in generated SQL over the same
 * FROM aliases.
 *
 * <p>{@code sql} is the canonical text of the expression token for token, with two deliberate
 * differences: runs of whitespace between tokens become one space (pg_get_viewdef indents by
 * position, so the same expression would otherwise differ between the select list and GROUP BY),
 * and a column reference PostgreSQL 16+ printed without its range-table alias (it does so when the
 * query reads a single table) gets that alias, so the text stays unambiguous when the generated
 * query joins more relations. Parentheses around the whole expression are dropped. Wrap {@code sql}
 * in parentheses when embedding it in a larger expression.
 *
 * @param sql the expression's SQL text
 * @param aliases the range-table aliases (decoded, as in {@link TableRef#alias()}) it references
 * @param containsAggregate whether it contains an aggregate call
 */
public record SqlExpr(String sql, Set<String> aliases, boolean containsAggregate) {
  public SqlExpr {
    Objects.requireNonNull(sql, "sql");
    if (sql.isBlank()) {
      throw new IllegalArgumentException("empty expression");
    }
    aliases = Set.copyOf(aliases);
  }
}
