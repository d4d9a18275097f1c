package io.pgtrickle.sql.delta;

import io.pgtrickle.sql.plan.QueryBlock;
import io.pgtrickle.sql.plan.SelectItem;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Select-project-join over inner joins: the query's change as a Z-set (rows with weights), netted
 * per row and applied by deleting or inserting copies.
 *
 * <p>Identity: Δ(σ_p π_e (T1 ⋈ … ⋈ Tn)) = σ_p π_e Δ(T1 ⋈ … ⋈ Tn), with the join's change expanded
 * by {@link Terms}. Reads the changed tables' pending changes and every table's current contents.
 * Rows are matched in the stream table by {@code pgtrickle.row_key}, which has an index; the rows
 * to delete are found by probing that index, never by hashing the whole table.
 */
final class ZSetDelta {
  private ZSetDelta() {}

  static String generate(QueryBlock q, TermRenderer renderer, List<String> changed, Target target) {
    List<String> selects = new ArrayList<>();
    for (Terms.Term term : Terms.expand(changed)) {
      selects.add(termSelect(q, renderer, term.bindings(), term.sign(), target));
    }
    String st = target.sqlName();
    return "WITH __pgt_d AS ("
        + String.join("\nUNION ALL\n", selects)
        + "),\n__pgt_net AS MATERIALIZED (SELECT y.k, y.w, y.r FROM ("
        + "SELECT pgtrickle.row_key(x.r) AS k, sum(x.w) AS w, (array_agg(x.r))[1] AS r"
        + " FROM (SELECT ROW("
        + target.columnList("d")
        + ")::"
        + st
        + " AS r, d.__pgt_w AS w FROM __pgt_d d) x GROUP BY 1) y WHERE y.w <> 0),\n"
        + "__pgt_del AS (DELETE FROM "
        + st
        + " WHERE ctid IN (SELECT t.c FROM (SELECT __pgt_s.ctid AS c, pgtrickle.row_key(__pgt_s) AS k,"
        + " row_number() OVER (PARTITION BY pgtrickle.row_key(__pgt_s)) AS rn FROM "
        + st
        // = ANY (ARRAY(…)), not IN (SELECT …): with IN the planner may hash the whole stream
        // table, computing row_key (a non-inlinable function with SET clauses, ~10 µs) for every
        // row; the array makes it probe the row_key index once per deleted key.
        + " __pgt_s WHERE pgtrickle.row_key(__pgt_s)"
        + " = ANY (ARRAY(SELECT k FROM __pgt_net WHERE w < 0))) t"
        + " JOIN __pgt_net n ON n.k = t.k WHERE t.rn <= -n.w) RETURNING 1),\n"
        + "__pgt_ins AS (INSERT INTO "
        + st
        + " SELECT (n.r).* FROM __pgt_net n CROSS JOIN LATERAL generate_series(1, n.w)"
        + " WHERE n.w > 0 RETURNING 1)\n"
        + target.resultSelect();
  }

  private static String termSelect(
      QueryBlock q, TermRenderer renderer, Map<String, Binding> bindings, int sign, Target target) {
    StringBuilder sb = new StringBuilder("SELECT ");
    List<SelectItem> items = q.select();
    for (int i = 0; i < items.size(); i++) {
      sb.append(items.get(i).expr().sql())
          .append(" AS ")
          .append(io.pgtrickle.sql.lex.Identifiers.quote(target.columns().get(i)))
          .append(", ");
    }
    sb.append(TermRenderer.weight(bindings, sign)).append(" AS __pgt_w FROM ");
    sb.append(renderer.from(q.from(), bindings, Map.of()));
    if (q.where() != null) {
      sb.append(" WHERE ").append(q.where().sql());
    }
    return sb.toString();
  }
}
