package io.pgtrickle.engine.refresh;

import io.pgtrickle.engine.session.Row;
import io.pgtrickle.engine.session.SqlSession;
import io.pgtrickle.engine.session.SqlSession.Update;
import io.pgtrickle.sql.delta.DeltaGenerator;
import io.pgtrickle.sql.lex.Identifiers;
import io.pgtrickle.sql.plan.QueryBlock;
import java.sql.SQLException;
import java.util.stream.Collectors;

/**
 * The per-group running totals of a stream table whose COUNT, SUM and AVG are updated in place,
 * kept in {@code pgtrickle_changes.aux_<id>} so the stream table shows only the query's columns.
 */
public final class RunningTotals {
  private RunningTotals() {}

  /** The totals table's quoted, qualified name. */
  public static String name(long pgtId) {
    return "pgtrickle_changes." + Identifiers.quote("aux_" + pgtId);
  }

  /**
   * Whether running totals of the query would be exact: every sum is an integer or numeric type. A
   * floating-point running sum drifts from a fresh sum, so such queries are recomputed instead.
   */
  public static boolean exact(SqlSession s, QueryBlock q) throws SQLException {
    s.rawUpdate("CREATE TEMP VIEW __pgt_totals_probe AS " + DeltaGenerator.totalsQuery(q));
    Row inexact =
        s.queryOne(
            "SELECT count(*) FROM pg_catalog.pg_attribute"
                + " WHERE attrelid = 'pg_temp.__pgt_totals_probe'::regclass"
                + " AND attname LIKE '\\_\\_pgt\\_s%'"
                + " AND atttypid NOT IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype,"
                + " 'numeric'::regtype)");
    s.rawUpdate("DROP VIEW pg_temp.__pgt_totals_probe");
    return inexact.longValue(0) == 0;
  }

  /** (Re)creates the empty totals table with a unique index on its groups (NULLs equal). */
  public static void create(SqlSession s, long pgtId, QueryBlock q) throws SQLException {
    drop(s, pgtId);
    String table = name(pgtId);
    s.rawUpdate("CREATE TABLE " + table + " AS " + DeltaGenerator.totalsQuery(q) + " WITH NO DATA");
    s.rawUpdate(
        "CREATE UNIQUE INDEX ON "
            + table
            + " ("
            + DeltaGenerator.totalsGroupColumns(q).stream().collect(Collectors.joining(", "))
            + ") NULLS NOT DISTINCT");
  }

  /** Drops the totals table if there is one. */
  public static void drop(SqlSession s, long pgtId) throws SQLException {
    s.rawUpdate("DROP TABLE IF EXISTS " + name(pgtId));
  }

  /**
   * The statement that forgets groups whose count fell to zero; they have no rows in the stream
   * table any more. It reads every group, so a refresh sends it only when its delta emptied one.
   */
  public static Update dropEmptyGroups(long pgtId) {
    return Update.of("DELETE FROM " + name(pgtId) + " WHERE __pgt_count = 0");
  }
}
