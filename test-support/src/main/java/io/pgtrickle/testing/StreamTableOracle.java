package io.pgtrickle.testing;

import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.List;

/**
 * The correctness oracle for stream tables: a stream table must hold exactly the multiset of rows
 * that a fresh run of its defining query returns.
 */
public final class StreamTableOracle {

  /** How many differing rows of each kind a failure message lists. */
  static final int MAX_LISTED_ROWS = 20;

  /** SQLSTATE undefined_function: "could not identify an equality operator for type json". */
  private static final String UNDEFINED_FUNCTION = "42883";

  private StreamTableOracle() {}

  /**
   * Asserts that {@code streamTable} and {@code query} hold the same rows with the same
   * multiplicities, comparing with {@code EXCEPT ALL} in both directions inside one statement, so
   * both sides are read from one snapshot even in READ COMMITTED.
   *
   * <p>Rows are compared with their types' equality operators; only if a column type has none
   * (json, point, xml) are they compared by their text form instead.
   *
   * @param c the connection to read through, in whatever transaction it is in
   * @param streamTable a table name, possibly schema-qualified, used verbatim in SQL
   * @param query the stream table's defining query; a trailing semicolon is ignored
   * @throws AssertionError listing up to 20 extra and 20 missing rows if the contents differ
   * @throws SQLException if the comparison cannot run, e.g. the two sides' columns do not match
   */
  public static void assertMatchesQuery(Connection c, String streamTable, String query)
      throws SQLException {
    Comparison result;
    try {
      result = compareTypedOrAsText(c, streamTable, query);
    } catch (SQLException e) {
      throw new SQLException(
          "could not compare stream table " + streamTable + " with its query: " + e.getMessage(),
          e.getSQLState(),
          e);
    }
    if (result.extraCount() != 0 || result.missingCount() != 0) {
      throw new AssertionError(result.describe(streamTable, query));
    }
  }

  /** {@code SELECT count(*) FROM table}, with {@code table} used verbatim. */
  public static long count(Connection c, String table) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static Comparison compareTypedOrAsText(Connection c, String streamTable, String query)
      throws SQLException {
    // Inside a transaction a failed statement poisons it; the savepoint lets the retry run.
    Savepoint savepoint = c.getAutoCommit() ? null : c.setSavepoint();
    try {
      return compare(c, comparisonSql(streamTable, query, false));
    } catch (SQLException e) {
      if (!UNDEFINED_FUNCTION.equals(e.getSQLState())) {
        throw e;
      }
      if (savepoint != null) {
        c.rollback(savepoint);
      }
      return compare(c, comparisonSql(streamTable, query, true));
    } finally {
      if (savepoint != null) {
        c.releaseSavepoint(savepoint);
      }
    }
  }

  private static Comparison compare(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return new Comparison(
          rs.getLong(1),
          rs.getLong(2),
          rs.getLong(3),
          rs.getLong(4),
          texts(rs.getArray(5)),
          texts(rs.getArray(6)));
    }
  }

  /**
   * One statement computing both sides' counts, both differences' counts and a sorted sample of
   * each difference in text form.
   */
  static String comparisonSql(String streamTable, String query, boolean asText) {
    String body = query.strip();
    while (body.endsWith(";")) {
      body = body.substring(0, body.length() - 1).strip();
    }
    String columns = asText ? "pgt_oracle_row::text AS row_text" : "*";
    String shown = asText ? "row_text" : "pgt_oracle_row::text";
    // The query comes first and our names are unusual, so that no CTE or alias of ours can capture
    // a table or column name of the query's or the stream table's. MATERIALIZED: each side is
    // computed once though both set operations read it. The newline before ")" keeps a trailing
    // "-- comment" in the query from swallowing the parenthesis.
    return "WITH pgt_oracle_query AS MATERIALIZED (SELECT "
        + columns
        + " FROM (\n"
        + body
        + "\n) AS pgt_oracle_row),\n pgt_oracle_table AS MATERIALIZED (SELECT "
        + columns
        + " FROM "
        + streamTable
        + " AS pgt_oracle_row),\n pgt_oracle_extra AS (SELECT * FROM pgt_oracle_table"
        + " EXCEPT ALL SELECT * FROM pgt_oracle_query),\n"
        + " pgt_oracle_missing AS (SELECT * FROM pgt_oracle_query"
        + " EXCEPT ALL SELECT * FROM pgt_oracle_table)\n"
        + "SELECT (SELECT count(*) FROM pgt_oracle_table), (SELECT count(*) FROM pgt_oracle_query),\n"
        + " (SELECT count(*) FROM pgt_oracle_extra), (SELECT count(*) FROM pgt_oracle_missing),\n"
        + " ARRAY(SELECT "
        + shown
        + " FROM pgt_oracle_extra pgt_oracle_row ORDER BY 1 LIMIT "
        + MAX_LISTED_ROWS
        + "),\n ARRAY(SELECT "
        + shown
        + " FROM pgt_oracle_missing pgt_oracle_row ORDER BY 1 LIMIT "
        + MAX_LISTED_ROWS
        + ")";
  }

  private static List<String> texts(Array array) throws SQLException {
    try {
      return List.of((String[]) array.getArray());
    } finally {
      array.free();
    }
  }

  /** The counts and sample rows of one comparison. */
  private record Comparison(
      long streamTableCount,
      long queryCount,
      long extraCount,
      long missingCount,
      List<String> extraRows,
      List<String> missingRows) {

    String describe(String streamTable, String query) {
      StringBuilder m = new StringBuilder();
      m.append("stream table ")
          .append(streamTable)
          .append(" does not match its query: ")
          .append(extraCount)
          .append(" extra and ")
          .append(missingCount)
          .append(" missing row(s); the stream table has ")
          .append(streamTableCount)
          .append(" row(s), the query returns ")
          .append(queryCount)
          .append("\nquery: ")
          .append(query.strip());
      list(m, "extra rows (in the stream table, not in the query result)", extraCount, extraRows);
      list(
          m,
          "missing rows (in the query result, not in the stream table)",
          missingCount,
          missingRows);
      return m.toString();
    }

    private static void list(StringBuilder m, String title, long count, List<String> rows) {
      if (count == 0) {
        return;
      }
      m.append('\n').append(title);
      if (count > rows.size()) {
        m.append(", first ").append(rows.size()).append(" of ").append(count);
      }
      m.append(':');
      for (String row : rows) {
        m.append("\n  ").append(row);
      }
    }
  }
}
