package io.pgtrickle.sql.delta;

import io.pgtrickle.errors.PgTrickleException;
import io.pgtrickle.sql.plan.AggregateCall;
import io.pgtrickle.sql.plan.Distinct;
import io.pgtrickle.sql.plan.QueryBlock;
import io.pgtrickle.sql.plan.SqlExpr;
import io.pgtrickle.sql.plan.TableRef;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * COUNT, SUM and AVG maintained in place from per-group running totals.
 *
 * <p>For each group the totals are kept in a companion table (the stream table itself shows only
 * the query's columns): {@code __pgt_count} = COUNT(*), and for each aggregate argument x, {@code
 * __pgt_s<i>} = SUM(x) over non-NULL values and {@code __pgt_c<i>} = COUNT(x). Their changes are
 * linear in the input: Δcount = Σw, ΔSUM(x) = Σ w·x, ΔCOUNT(x) = Σ w·[x IS NOT NULL], summed over
 * the weighted change rows of the input (inner joins: {@link Terms}). The changes are added to the
 * totals (one upsert), and the output of each affected group is computed from its totals: COUNT(x)
 * = c, SUM(x) = s when c &gt; 0 else NULL, AVG(x) = s / c. A group whose count reaches 0 disappears
 * (an aggregate without GROUP BY keeps its one row). Reads only the change rows, the totals of the
 * affected groups and the stream table's rows for them: a refresh costs the size of the change,
 * however large the groups.
 *
 * <p>Used only where exact: the engine falls back to {@link KeyedRecompute} when a sum would be
 * floating point (running float sums drift from a fresh sum), for MIN/MAX, and for LEFT JOINs.
 */
final class AlgebraicAggregate {
  private static final Set<String> LINEAR = Set.of("count", "sum", "avg");
  private static final String ALIAS = "__pgt_a";

  private AlgebraicAggregate() {}

  /** Whether every output and HAVING can be computed from group keys and running totals. */
  static boolean eligible(QueryBlock q) {
    if (!q.aggregated()
        || !(q.distinct() instanceof Distinct.None)
        || !KeyedRecompute.leftJoins(q.from()).isEmpty()) {
      return false;
    }
    for (AggregateCall a : q.aggregates()) {
      if (!LINEAR.contains(a.function()) || a.distinct()) {
        return false;
      }
    }
    Set<String> aliases = q.tables().stream().map(TableRef::alias).collect(Collectors.toSet());
    for (var item : q.select()) {
      if (readsSources(substitute(q, item.expr().sql()), aliases)) {
        return false;
      }
    }
    return q.having() == null || !readsSources(substitute(q, q.having().sql()), aliases);
  }

  /** The query that computes the totals from scratch; also defines the totals table's columns. */
  static String totalsQuery(QueryBlock q) {
    StringBuilder sb = new StringBuilder("SELECT ");
    List<String> cols = new ArrayList<>();
    List<SqlExpr> keys = q.groupBy();
    if (keys.isEmpty()) {
      cols.add("true AS __pgt_g1");
    }
    for (int i = 0; i < keys.size(); i++) {
      cols.add(keys.get(i).sql() + " AS __pgt_g" + (i + 1));
    }
    cols.add("count(*) AS __pgt_count");
    List<String> args = arguments(q);
    for (int i = 0; i < args.size(); i++) {
      cols.add(
          (summed(q, args.get(i)) ? "sum(" + args.get(i) + ")" : "NULL::bigint")
              + " AS __pgt_s"
              + (i + 1));
      cols.add("count(" + args.get(i) + ") AS __pgt_c" + (i + 1));
    }
    sb.append(String.join(", ", cols));
    sb.append(" FROM ").append(new TermRenderer(Map.of()).fromPost(q.from()));
    if (q.where() != null) {
      sb.append(" WHERE ").append(q.where().sql());
    }
    if (!keys.isEmpty()) {
      sb.append(" GROUP BY ")
          .append(keys.stream().map(SqlExpr::sql).collect(Collectors.joining(", ")));
    }
    return sb.toString();
  }

  /**
   * CTEs that rebuild the totals from scratch within another statement (a FULL recomputation), so
   * that they are computed in the very snapshot that becomes the frontier. New totals are upserted
   * and vanished groups deleted: disjoint rows, so one statement may do both.
   */
  static String rebuildCtes(QueryBlock q, String totals) {
    List<String> groups = groupColumns(q);
    List<String> args = arguments(q);
    List<String> sets = new ArrayList<>();
    sets.add("__pgt_count = EXCLUDED.__pgt_count");
    for (int i = 1; i <= args.size(); i++) {
      sets.add("__pgt_s" + i + " = EXCLUDED.__pgt_s" + i);
      sets.add("__pgt_c" + i + " = EXCLUDED.__pgt_c" + i);
    }
    String match =
        groups.stream()
            .map(g -> "__pgt_tn." + g + " IS NOT DISTINCT FROM __pgt_t." + g)
            .collect(Collectors.joining(" AND "));
    return "__pgt_tnew AS MATERIALIZED ("
        + totalsQuery(q)
        + "), __pgt_tup AS (INSERT INTO "
        + totals
        + " SELECT * FROM __pgt_tnew ON CONFLICT ("
        + String.join(", ", groups)
        + ") DO UPDATE SET "
        + String.join(", ", sets)
        + " RETURNING 1), __pgt_tdel AS (DELETE FROM "
        + totals
        + " __pgt_t WHERE NOT EXISTS (SELECT 1 FROM __pgt_tnew __pgt_tn WHERE "
        + match
        + ") RETURNING 1)";
  }

  /** The names of the totals table's group columns: what its unique index covers. */
  static List<String> groupColumns(QueryBlock q) {
    int n = Math.max(1, q.groupBy().size());
    List<String> out = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      out.add("__pgt_g" + i);
    }
    return out;
  }

  /** The refresh statement; {@code totals} is the totals table's quoted name. */
  static String generate(
      QueryBlock q,
      TermRenderer renderer,
      List<String> changed,
      List<String> keyColumns,
      Target target,
      String totals) {
    List<String> args = arguments(q);
    List<String> groups = groupColumns(q);
    boolean global = q.groupBy().isEmpty();
    // The weighted change rows: group keys and aggregate arguments.
    List<String> terms = new ArrayList<>();
    for (Terms.Term term : Terms.expand(changed)) {
      StringBuilder sb = new StringBuilder("SELECT ");
      if (global) {
        sb.append("true AS __pgt_g1, ");
      }
      for (int i = 0; i < q.groupBy().size(); i++) {
        sb.append(q.groupBy().get(i).sql()).append(" AS __pgt_g").append(i + 1).append(", ");
      }
      for (int i = 0; i < args.size(); i++) {
        sb.append(args.get(i)).append(" AS __pgt_v").append(i + 1).append(", ");
      }
      sb.append(TermRenderer.weight(term.bindings(), term.sign())).append(" AS __pgt_w FROM ");
      sb.append(renderer.from(q.from(), term.bindings(), Map.of()));
      if (q.where() != null) {
        sb.append(" WHERE ").append(q.where().sql());
      }
      terms.add(sb.toString());
    }
    List<String> sums = new ArrayList<>(groups);
    sums.add("sum(__pgt_w) AS __pgt_count");
    List<String> updates = new ArrayList<>();
    updates.add("__pgt_count = " + ALIAS + ".__pgt_count + EXCLUDED.__pgt_count");
    for (int i = 1; i <= args.size(); i++) {
      // Only arguments of SUM and AVG are summed: COUNT(text) has nothing to add.
      sums.add(
          (summed(q, args.get(i - 1)) ? "sum(__pgt_w * __pgt_v" + i + ")" : "NULL::bigint")
              + " AS __pgt_s"
              + i);
      sums.add("sum(CASE WHEN __pgt_v" + i + " IS NULL THEN 0 ELSE __pgt_w END) AS __pgt_c" + i);
      updates.add(
          "__pgt_s"
              + i
              + " = coalesce("
              + ALIAS
              + ".__pgt_s"
              + i
              + ", 0) + coalesce(EXCLUDED.__pgt_s"
              + i
              + ", 0)");
      updates.add("__pgt_c" + i + " = " + ALIAS + ".__pgt_c" + i + " + EXCLUDED.__pgt_c" + i);
    }
    String groupList = String.join(", ", groups);
    List<String> keyAliases = new ArrayList<>();
    for (int i = 1; i <= keyColumns.size(); i++) {
      keyAliases.add("__pgt_k" + i);
    }
    String keysCte =
        global
            // The one group is affected only if a change survived the WHERE clause.
            ? "SELECT 1 AS __pgt_any FROM __pgt_dg"
            : "SELECT "
                + java.util.stream.IntStream.range(0, keyColumns.size())
                    .mapToObj(i -> groups.get(i) + " AS " + keyAliases.get(i))
                    .collect(Collectors.joining(", "))
                + " FROM __pgt_dg";
    String outputs =
        q.select().stream()
            .map(i -> substitute(q, i.expr().sql()))
            .collect(Collectors.joining(", "));
    List<String> conditions = new ArrayList<>();
    if (!global) {
      conditions.add(ALIAS + ".__pgt_count > 0");
    }
    if (q.having() != null) {
      conditions.add("(" + substitute(q, q.having().sql()) + ")");
    }
    String newRows =
        "SELECT "
            + outputs
            + " FROM __pgt_up "
            + ALIAS
            + (conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions));
    return "WITH __pgt_d AS ("
        + String.join("\nUNION ALL\n", terms)
        + "),\n__pgt_dg AS MATERIALIZED (SELECT "
        + String.join(", ", sums)
        + " FROM __pgt_d GROUP BY "
        + groupList
        + "),\n__pgt_up AS (INSERT INTO "
        + totals
        + " AS "
        + ALIAS
        + " SELECT * FROM __pgt_dg ON CONFLICT ("
        + groupList
        + ") DO UPDATE SET "
        + String.join(", ", updates)
        + " RETURNING "
        + ALIAS
        + ".*),\n__pgt_keys AS MATERIALIZED ("
        + keysCte
        + "),\n"
        + KeyedRecompute.apply(
            target, newRows, KeyedRecompute.oldRows(target, keyColumns, keyAliases));
  }

  /** Whether SUM or AVG is taken of the argument, so its running sum is kept. */
  private static boolean summed(QueryBlock q, String argument) {
    return q.aggregates().stream()
        .anyMatch(
            a ->
                a.argument() != null
                    && a.argument().sql().equals(argument)
                    && !a.function().equals("count"));
  }

  /** The distinct aggregate arguments, in order of first use. */
  private static List<String> arguments(QueryBlock q) {
    List<String> args = new ArrayList<>();
    for (AggregateCall a : q.aggregates()) {
      if (a.argument() != null && !args.contains(a.argument().sql())) {
        args.add(a.argument().sql());
      }
    }
    return args;
  }

  /**
   * An output expression rewritten over the totals: aggregate calls and group-key expressions
   * replaced, longest first so a call inside another is not cut.
   */
  private static String substitute(QueryBlock q, String sql) {
    Map<String, String> replacements = new LinkedHashMap<>();
    List<String> args = arguments(q);
    for (AggregateCall a : q.aggregates()) {
      String r;
      if (a.argument() == null) {
        r = ALIAS + ".__pgt_count";
      } else {
        int i = args.indexOf(a.argument().sql()) + 1;
        String s = ALIAS + ".__pgt_s" + i;
        String c = ALIAS + ".__pgt_c" + i;
        r =
            switch (a.function()) {
              case "count" -> c;
              case "sum" -> "(CASE WHEN " + c + " > 0 THEN " + s + " END)";
              default -> "(CASE WHEN " + c + " > 0 THEN " + s + "::numeric / " + c + " END)";
            };
      }
      replacements.put(a.sql(), r);
    }
    for (int i = 0; i < q.groupBy().size(); i++) {
      replacements.putIfAbsent(q.groupBy().get(i).sql(), ALIAS + ".__pgt_g" + (i + 1));
    }
    List<String> order = new ArrayList<>(replacements.keySet());
    order.sort(Comparator.comparingInt(String::length).reversed());
    String out = sql;
    for (String from : order) {
      out = out.replace(from, replacements.get(from));
    }
    return out;
  }

  /** Whether {@code sql} still qualifies a column with one of the query's table aliases. */
  private static boolean readsSources(String sql, Set<String> aliases) {
    try {
      return !Collections.disjoint(AliasRenamer.qualifiers(sql), aliases);
    } catch (PgTrickleException e) {
      return true;
    }
  }
}
