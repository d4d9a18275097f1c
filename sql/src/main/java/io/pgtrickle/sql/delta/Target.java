package io.pgtrickle.sql.delta;

import io.pgtrickle.sql.lex.Identifiers;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The stream table a delta is applied to.
 *
 * @param sqlName its quoted, qualified name
 * @param columns its column names (unquoted), in order: the query's output columns
 * @param extraResults SQL expressions appended to the statement's result row, after the inserted
 *     and deleted counts (the engine reads its new frontier from them)
 * @param totals the quoted name of the running-totals table of an ALGEBRAIC stream table, or null
 */
public record Target(
    String sqlName, List<String> columns, List<String> extraResults, String totals) {

  /** Defensive copies. */
  public Target {
    columns = List.copyOf(columns);
    extraResults = List.copyOf(extraResults);
  }

  /** {@code prefix."c1", prefix."c2", …}. */
  String columnList(String prefix) {
    return columns.stream()
        .map(c -> (prefix.isEmpty() ? "" : prefix + ".") + Identifiers.quote(c))
        .collect(Collectors.joining(", "));
  }

  /** The final SELECT of an apply statement: counts from the CTEs, then the extra results. */
  String resultSelect() {
    StringBuilder sb =
        new StringBuilder(
            "SELECT (SELECT count(*) FROM __pgt_ins) AS inserted,"
                + " (SELECT count(*) FROM __pgt_del) AS deleted");
    for (String extra : extraResults) {
      sb.append(", ").append(extra);
    }
    return sb.toString();
  }
}
