package io.pgtrickle.engine.refresh;

import io.pgtrickle.engine.catalog.StreamTable;
import io.pgtrickle.engine.query.OutputColumn;
import io.pgtrickle.engine.session.Row;
import io.pgtrickle.engine.session.SqlSession;
import io.pgtrickle.sql.lex.Identifiers;
import java.sql.SQLException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Recomputes a stream table's query and merges the difference into the table in one statement.
 *
 * <p>The table is never truncated: TRUNCATE would take an ACCESS EXCLUSIVE lock and block every
 * reader. Instead rows are matched on their text form plus an occurrence number, so duplicates are
 * kept exactly (a multiset), and only rows that differ are deleted or inserted. Concurrent readers
 * keep seeing the old contents until the refresh commits and then the new ones, never an empty or
 * half-filled table. Matching on the text form works for every column type, including those without
 * an equality operator ({@code json}, {@code point}); two values that print alike but differ in
 * type-specific equality are simply rewritten.
 */
public final class FullRefresh {
  private FullRefresh() {}

  /** Refreshes {@code st} on the session's current transaction. */
  public static RefreshResult run(SqlSession s, StreamTable st) throws SQLException {
    return run(s, st, null);
  }

  /**
   * Refreshes {@code st}; {@code extraCtes}, if given, are more CTEs (comma-separated) run by the
   * same statement, in the same snapshot: the rebuild of running totals.
   */
  public static RefreshResult run(SqlSession s, StreamTable st, String extraCtes)
      throws SQLException {
    List<String> columns =
        OutputColumn.ofTable(s, st.relid()).stream().map(OutputColumn::name).toList();
    String cols = columns.stream().map(Identifiers::quote).collect(Collectors.joining(", "));
    String newCols =
        columns.stream().map(c -> "n." + Identifiers.quote(c)).collect(Collectors.joining(", "));
    String table = st.sqlName();
    String sql =
        "WITH __pgt_new AS MATERIALIZED ("
            + " SELECT __pgt_q.*, __pgt_q::text AS __pgt_k,"
            + " row_number() OVER (PARTITION BY __pgt_q::text) AS __pgt_n"
            + " FROM ("
            + st.definingQuery()
            + "\n) __pgt_q),"
            + " __pgt_old AS MATERIALIZED ("
            + " SELECT __pgt_s.ctid AS __pgt_ctid, __pgt_s::text AS __pgt_k,"
            + " row_number() OVER (PARTITION BY __pgt_s::text) AS __pgt_n"
            + " FROM "
            + table
            + " __pgt_s),"
            + " __pgt_del AS ("
            + " DELETE FROM "
            + table
            + " WHERE ctid IN (SELECT o.__pgt_ctid FROM __pgt_old o WHERE NOT EXISTS ("
            + " SELECT 1 FROM __pgt_new n"
            + " WHERE n.__pgt_k = o.__pgt_k AND n.__pgt_n = o.__pgt_n))"
            + " RETURNING 1),"
            + " __pgt_ins AS ("
            + " INSERT INTO "
            + table
            + " ("
            + cols
            + ") SELECT "
            + newCols
            + " FROM __pgt_new n WHERE NOT EXISTS ("
            + " SELECT 1 FROM __pgt_old o"
            + " WHERE o.__pgt_k = n.__pgt_k AND o.__pgt_n = n.__pgt_n)"
            + " RETURNING 1)"
            + (extraCtes == null ? "" : ",\n" + extraCtes + "\n")
            + " SELECT (SELECT count(*) FROM __pgt_ins), (SELECT count(*) FROM __pgt_del),"
            + " statement_timestamp(), pg_current_snapshot()::text, pg_current_xact_id()::text";
    Row r = s.rawQuery(sql).get(0);
    return new RefreshResult(
        RefreshAction.FULL, r.longValue(0), r.longValue(1), r.text(2), r.text(3), r.text(4));
  }
}
