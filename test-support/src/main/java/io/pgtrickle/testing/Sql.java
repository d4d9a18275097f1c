package io.pgtrickle.testing;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** One-line reads for tests: the first column of a query's rows, as text. */
public final class Sql {
  private Sql() {}

  /** The first column of every row of {@code query}, as text (null for SQL NULL). */
  public static List<String> column(Connection c, String query) throws SQLException {
    List<String> values = new ArrayList<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(query)) {
      while (rs.next()) {
        values.add(rs.getString(1));
      }
    }
    return values;
  }

  /** The first column of the only row of {@code query}; fails unless there is exactly one row. */
  public static String string(Connection c, String query) throws SQLException {
    List<String> values = column(c, query);
    if (values.size() != 1) {
      throw new AssertionError("expected one row from " + query + ", got " + values.size());
    }
    return values.get(0);
  }

  /** Like {@link #string} for a query that returns a number. */
  public static long scalar(Connection c, String query) throws SQLException {
    return Long.parseLong(string(c, query));
  }
}
