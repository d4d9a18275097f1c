package io.pgtrickle.sql.delta;

import io.pgtrickle.sql.lex.Identifiers;
import io.pgtrickle.sql.plan.FromItem;
import io.pgtrickle.sql.plan.JoinNode;
import io.pgtrickle.sql.plan.JoinType;
import io.pgtrickle.sql.plan.OrderItem;
import io.pgtrickle.sql.plan.QueryBlock;
import io.pgtrickle.sql.plan.SqlExpr;
import io.pgtrickle.sql.plan.TableRef;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Aggregates, DISTINCT and DISTINCT ON: recompute only the keys (groups) that changed.
 *
 * <p>The output partitions by a key K (the GROUP BY expressions, every output column for DISTINCT,
 * the DISTINCT ON expressions; the empty key for an aggregate without GROUP BY), and the rows for a
 * key depend only on the input rows with that key. So Δ = Q(after)|K' − Q(before)|K' for the keys
 * K' of every input row that changed. K' is collected from the terms of the input's change (any
 * superset is correct); Q(after)|K' is the query restricted to K'; and Q(before)|K' is what the
 * stream table holds for K'. Rows that came out the same are left alone.
 *
 * <p>For {@code A LEFT JOIN B}, a change in B also changes the padded rows of the A rows it
 * matches, so two more terms collect the keys of those A rows with B as it is now and with B as a
 * NULL row. Reads the pending changes, the current contents of the sources, and the stream table.
 */
final class KeyedRecompute {
  private KeyedRecompute() {}

  /**
   * @param keys the key expressions, in the query's terms
   * @param keyColumns the stream-table columns holding them, in the same order
   */
  static String generate(
      QueryBlock q,
      TermRenderer renderer,
      List<String> changed,
      List<SqlExpr> keys,
      List<String> keyColumns,
      Target target) {
    List<String> keyAliases = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      keyAliases.add("__pgt_k" + (i + 1));
    }
    String affected = String.join("\nUNION\n", keyTerms(q, renderer, changed, keys, keyAliases));
    String keysCte =
        keys.isEmpty() ? "SELECT 1 AS __pgt_any FROM (" + affected + ") __pgt_t LIMIT 1" : affected;
    String recompute;
    if (keys.isEmpty()) {
      recompute =
          "SELECT * FROM (" + query(q, null) + ") __pgt_q WHERE EXISTS (SELECT 1 FROM __pgt_keys)";
    } else {
      List<String> exprs = keys.stream().map(SqlExpr::sql).collect(Collectors.toList());
      // Parenthesised: a DISTINCT ON branch ends in its own ORDER BY. The sources keep the IN
      // semi-join (unlike the stream table in oldRows): whether they have an index on the key is
      // not known here, and without one an added `key = ANY (ARRAY(…))` filter is a linear search
      // of the array for every source row (100K rows, 1,000 keys: 1.5 s against 48 ms).
      recompute =
          "("
              + query(q, nonNullFilter(exprs, keyAliases))
              + ")\nUNION ALL\n("
              + query(q, nullFilter(exprs, keyAliases))
              + ")";
    }
    return "WITH __pgt_keys AS MATERIALIZED ("
        + keysCte
        + "),\n"
        + apply(target, recompute, oldRows(target, keyColumns, keyAliases));
  }

  /**
   * The stream table's rows for the keys in {@code __pgt_keys} (every row when there are no key
   * columns and any key is affected): their ctid and identity.
   *
   * <p>Keys without a NULL part are looked up one by one: a join from {@code __pgt_keys} to a
   * LATERAL subquery that {@code OFFSET 0} keeps from being pulled up, so the only plan is a nested
   * loop probing the stream table's key index ({@code __pgt_key_<id>}) once per key. With {@code
   * (keys) IN (SELECT …)} the planner may hash the keys and scan the whole stream table instead,
   * which makes the refresh of a fixed number of changes grow with the table. The join, unlike a
   * semi-join, repeats a stream-table row for each key it equals, so the keys are made distinct
   * first: {@code __pgt_keys} of a single term holds a key once per change row. {@code = ANY
   * (ARRAY(…))} would do for one column, but not when the key is itself an array (ARRAY() of arrays
   * is a two-dimensional array), and for several columns a row-valued {@code = ANY} cannot use a
   * btree at all.
   */
  static String oldRows(Target target, List<String> keyColumns, List<String> keyAliases) {
    // The alias is one a column cannot clash with: a whole-row reference to a column name would
    // read the column instead of the row.
    String from =
        "SELECT __pgt_s.ctid AS c, md5(__pgt_s::text) AS k FROM "
            + target.sqlName()
            + " __pgt_s WHERE ";
    if (keyColumns.isEmpty()) {
      return from + "EXISTS (SELECT 1 FROM __pgt_keys)";
    }
    List<String> stKeys =
        keyColumns.stream()
            .map(c -> "__pgt_s." + Identifiers.quote(c))
            .collect(Collectors.toList());
    StringBuilder probe = new StringBuilder();
    for (int i = 0; i < stKeys.size(); i++) {
      probe
          .append(i > 0 ? " AND " : "")
          .append(stKeys.get(i))
          .append(" = __pgt_kk.")
          .append(keyAliases.get(i));
    }
    String notNull =
        keyAliases.stream().map(k -> k + " IS NOT NULL").collect(Collectors.joining(" AND "));
    return "SELECT __pgt_o.c, __pgt_o.k FROM (SELECT DISTINCT "
        + String.join(", ", keyAliases)
        + " FROM __pgt_keys WHERE "
        + notNull
        + ") __pgt_kk CROSS JOIN LATERAL ("
        + from
        + probe
        + " OFFSET 0) __pgt_o"
        + "\nUNION ALL\n"
        + from
        + nullFilter(stKeys, keyAliases);
  }

  /**
   * The rest of an apply statement. Old and new rows are compared within this one statement, so the
   * session's own text form identifies them: {@code md5(row::text)} is about three times cheaper
   * than {@code pgtrickle.row_key}, whose fixed settings only an index shared across sessions
   * needs. The new rows of the affected keys ({@code newRows}, the stream table's columns in order)
   * replace the old ones ({@code oldRows}, from {@link #oldRows}), matched by identity and
   * occurrence number so that a key holding duplicate rows (a LEFT JOIN projected without the right
   * side's key) keeps exactly the right count, and rows that came out the same are not written.
   */
  static String apply(Target target, String newRows, String oldRows) {
    String st = target.sqlName();
    return "__pgt_new AS MATERIALIZED (SELECT y.r, y.k,"
        + " row_number() OVER (PARTITION BY y.k) AS n FROM"
        + " (SELECT x.r, md5(x.r::text) AS k FROM (SELECT ROW(q.*)::"
        + st
        + " AS r FROM ("
        + newRows
        + ") q) x) y),\n__pgt_old AS MATERIALIZED (SELECT o.c, o.k,"
        + " row_number() OVER (PARTITION BY o.k) AS n FROM ("
        + oldRows
        + ") o),\n__pgt_del AS (DELETE FROM "
        + st
        // = ANY (ARRAY(…)), not IN (SELECT …): a TID scan fetches just the rows to delete, where
        // the planner, overestimating them, would hash-join a scan of the whole stream table.
        + " WHERE ctid = ANY (ARRAY(SELECT o.c FROM __pgt_old o WHERE NOT EXISTS"
        + " (SELECT 1 FROM __pgt_new n WHERE n.k = o.k AND n.n = o.n))) RETURNING 1),\n"
        + "__pgt_ins AS (INSERT INTO "
        + st
        + " SELECT (n.r).* FROM __pgt_new n WHERE NOT EXISTS"
        + " (SELECT 1 FROM __pgt_old o WHERE o.k = n.k AND o.n = n.n) RETURNING 1)\n"
        + target.resultSelect();
  }

  /** The SELECTs whose rows' keys are the affected keys. */
  private static List<String> keyTerms(
      QueryBlock q,
      TermRenderer renderer,
      List<String> changed,
      List<SqlExpr> keys,
      List<String> keyAliases) {
    StringBuilder sel = new StringBuilder("SELECT ");
    if (keys.isEmpty()) {
      sel.append("1");
    }
    for (int i = 0; i < keys.size(); i++) {
      sel.append(i > 0 ? ", " : "")
          .append(keys.get(i).sql())
          .append(" AS ")
          .append(keyAliases.get(i));
    }
    String select = sel.append(" FROM ").toString();
    String where = q.where() == null ? "" : " WHERE " + q.where().sql();
    List<String> terms = new ArrayList<>();
    for (Terms.Term term : Terms.expand(changed)) {
      terms.add(select + renderer.from(q.from(), term.bindings(), Map.of()) + where);
    }
    for (JoinNode j : leftJoins(q.from())) {
      TableRef right = (TableRef) j.right();
      if (!changed.contains(right.alias())) {
        continue;
      }
      String probe = "__pgt_p_" + right.alias();
      Map<String, String> rename = Map.of(right.alias(), probe);
      String matchesChange =
          "EXISTS (SELECT 1 FROM "
              + renderer.leaf(right, Binding.DELTA, rename)
              + " WHERE "
              + AliasRenamer.rename(j.condition().sql(), rename)
              + ")";
      String restrict = (where.isEmpty() ? " WHERE " : where + " AND ") + matchesChange;
      terms.add(select + renderer.from(q.from(), Map.of(), Map.of()) + restrict);
      Map<String, Binding> padded = new LinkedHashMap<>();
      padded.put(right.alias(), Binding.NULL_ROW);
      terms.add(select + renderer.from(q.from(), padded, Map.of()) + restrict);
    }
    return terms;
  }

  /** The LEFT JOINs of a join tree. */
  static List<JoinNode> leftJoins(FromItem item) {
    List<JoinNode> out = new ArrayList<>();
    if (item instanceof JoinNode j) {
      out.addAll(leftJoins(j.left()));
      out.addAll(leftJoins(j.right()));
      if (j.type() == JoinType.LEFT) {
        out.add(j);
      }
    }
    return out;
  }

  /** The query itself, with an extra condition (or none). */
  private static String query(QueryBlock q, String extra) {
    StringBuilder sb = new StringBuilder("SELECT ");
    if (q.distinct() instanceof io.pgtrickle.sql.plan.Distinct.All) {
      sb.append("DISTINCT ");
    } else if (q.distinct() instanceof io.pgtrickle.sql.plan.Distinct.On on) {
      sb.append("DISTINCT ON (")
          .append(on.keys().stream().map(SqlExpr::sql).collect(Collectors.joining(", ")))
          .append(") ");
    }
    sb.append(q.select().stream().map(i -> i.expr().sql()).collect(Collectors.joining(", ")));
    sb.append(" FROM ").append(new TermRenderer(Map.of()).fromPost(q.from()));
    List<String> conditions = new ArrayList<>();
    if (q.where() != null) {
      conditions.add("(" + q.where().sql() + ")");
    }
    if (extra != null) {
      conditions.add(extra);
    }
    if (!conditions.isEmpty()) {
      sb.append(" WHERE ").append(String.join(" AND ", conditions));
    }
    if (!q.groupBy().isEmpty()) {
      sb.append(" GROUP BY ")
          .append(q.groupBy().stream().map(SqlExpr::sql).collect(Collectors.joining(", ")));
    }
    if (q.having() != null) {
      sb.append(" HAVING ").append(q.having().sql());
    }
    if (q.distinct() instanceof io.pgtrickle.sql.plan.Distinct.On && !q.orderBy().isEmpty()) {
      sb.append(" ORDER BY ")
          .append(
              q.orderBy().stream().map(KeyedRecompute::order).collect(Collectors.joining(", ")));
    }
    return sb.toString();
  }

  private static String order(OrderItem o) {
    return o.expr().sql()
        + (o.descending() ? " DESC" : " ASC")
        + (o.nullsFirst() == null ? "" : o.nullsFirst() ? " NULLS FIRST" : " NULLS LAST");
  }

  /** Rows whose key has no NULL part: an equality semi-join the planner can drive by index. */
  private static String nonNullFilter(List<String> exprs, List<String> keyAliases) {
    String notNull =
        keyAliases.stream().map(k -> k + " IS NOT NULL").collect(Collectors.joining(" AND "));
    return "("
        + String.join(", ", exprs)
        + ") IN (SELECT "
        + String.join(", ", keyAliases)
        + " FROM __pgt_keys WHERE "
        + notNull
        + ")";
  }

  /**
   * Rows whose key has a NULL part, matched NULL-safely. The first, uncorrelated EXISTS becomes a
   * one-time filter, so without such keys (the usual case) the branch reads nothing.
   */
  private static String nullFilter(List<String> exprs, List<String> keyAliases) {
    String anyNull =
        keyAliases.stream()
            .map(k -> "__pgt_kk." + k + " IS NULL")
            .collect(Collectors.joining(" OR "));
    StringBuilder match = new StringBuilder();
    for (int i = 0; i < exprs.size(); i++) {
      match
          .append(" AND __pgt_kk.")
          .append(keyAliases.get(i))
          .append(" IS NOT DISTINCT FROM (")
          .append(exprs.get(i))
          .append(")");
    }
    return "EXISTS (SELECT 1 FROM __pgt_keys __pgt_kk WHERE "
        + anyNull
        + ") AND EXISTS (SELECT 1 FROM __pgt_keys __pgt_kk WHERE ("
        + anyNull
        + ")"
        + match
        + ")";
  }
}
