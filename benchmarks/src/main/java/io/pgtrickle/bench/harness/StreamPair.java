package io.pgtrickle.bench.harness;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Two stream tables over the same query, one refreshed FULL and one DIFFERENTIAL, so one change
 * batch is refreshed both ways. Refreshes go through the pg_trickle driver as SQL ({@code SELECT
 * pgtrickle.refresh_stream_table(…)}) in autocommit, and are timed on the client: the wall time of
 * that one call, from sending it to its result, which includes the refresh's commit.
 */
final class StreamPair implements AutoCloseable {
  private final Connection api;
  private final BenchQuery query;
  private final String fullName;
  private final String diffName;
  private final long fullId;
  private final long diffId;

  private StreamPair(Connection api, BenchQuery query, long fullId, long diffId) {
    this.api = api;
    this.query = query;
    this.fullName = "bench.st_" + query.label() + "_full";
    this.diffName = "bench.st_" + query.label() + "_diff";
    this.fullId = fullId;
    this.diffId = diffId;
  }

  /**
   * Creates both stream tables (manual schedule, populated at creation) and checks the DIFFERENTIAL
   * one really is maintained incrementally.
   *
   * @param api a connection through the pg_trickle driver
   */
  static StreamPair create(Connection api, BenchQuery query) throws SQLException {
    String base = "bench.st_" + query.label();
    try (Statement s = api.createStatement()) {
      for (String mode : new String[] {"FULL", "DIFFERENTIAL"}) {
        String name = base + (mode.equals("FULL") ? "_full" : "_diff");
        s.execute(
            "SELECT pgtrickle.create_stream_table('"
                + name
                + "', $q$"
                + query.sql()
                + "$q$, schedule => NULL, refresh_mode => '"
                + mode
                + "')");
      }
    }
    long fullId = catalogId(api, "st_" + query.label() + "_full", "FULL");
    long diffId = catalogId(api, "st_" + query.label() + "_diff", "DIFFERENTIAL");
    return new StreamPair(api, query, fullId, diffId);
  }

  BenchQuery query() {
    return query;
  }

  String diffName() {
    return diffName;
  }

  String fullName() {
    return fullName;
  }

  /** Refreshes the FULL stream table; the client-side milliseconds, after checking it ran FULL. */
  double refreshFull() throws SQLException {
    double ms = timedRefresh(fullName);
    expectAction(fullId, fullName, "FULL");
    return ms;
  }

  /**
   * Refreshes the DIFFERENTIAL stream table and returns the client-side milliseconds; fails if the
   * history says it ran as anything but {@code expected} (DIFFERENTIAL, or NO_DATA when nothing was
   * pending).
   */
  double refreshDiff(String expected) throws SQLException {
    double ms = timedRefresh(diffName);
    expectAction(diffId, diffName, expected);
    return ms;
  }

  /** The refresh call alone: nothing else runs between the two clock readings. */
  private double timedRefresh(String name) throws SQLException {
    String sql = "SELECT pgtrickle.refresh_stream_table('" + name + "')";
    try (Statement s = api.createStatement()) {
      long start = System.nanoTime();
      s.execute(sql);
      long end = System.nanoTime();
      return (end - start) / 1e6;
    }
  }

  private void expectAction(long pgtId, String name, String expected) throws SQLException {
    try (PreparedStatement p =
        api.prepareStatement(
            "SELECT action, status, coalesce(reason, '') FROM pgtrickle.pgt_refresh_history"
                + " WHERE pgt_id = ? ORDER BY refresh_id DESC LIMIT 1")) {
      p.setLong(1, pgtId);
      try (ResultSet rs = p.executeQuery()) {
        if (!rs.next()) {
          throw new BenchFailure("no refresh history row for " + name);
        }
        String action = rs.getString(1);
        if (!expected.equals(action) || !"COMPLETED".equals(rs.getString(2))) {
          throw new BenchFailure(
              "refresh of "
                  + name
                  + " ran "
                  + action
                  + " ("
                  + rs.getString(2)
                  + ", reason: "
                  + rs.getString(3)
                  + "), expected "
                  + expected);
        }
      }
    }
  }

  /**
   * Compares both stream tables with a fresh run of the query, EXCEPT ALL in both directions in one
   * statement each; fails with the counts of extra and missing rows.
   */
  void checkAgainstQuery() throws SQLException {
    check(diffName);
    check(fullName);
  }

  private void check(String table) throws SQLException {
    String sql =
        "SELECT (SELECT count(*) FROM (TABLE "
            + table
            + " EXCEPT ALL ("
            + query.sql()
            + ")) x), (SELECT count(*) FROM (("
            + query.sql()
            + ") EXCEPT ALL TABLE "
            + table
            + ") y)";
    try (Statement s = api.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      long extra = rs.getLong(1);
      long missing = rs.getLong(2);
      if (extra != 0 || missing != 0) {
        throw new BenchFailure(
            "stream table "
                + table
                + " differs from its query: "
                + extra
                + " extra rows, "
                + missing
                + " missing rows");
      }
    }
  }

  /**
   * The stream tables' storage, the change buffers of their sources and the running totals of the
   * DIFFERENTIAL one, for VACUUM.
   */
  List<String> maintainedTables() throws SQLException {
    List<String> out = new ArrayList<>();
    out.add(fullName);
    out.add(diffName);
    try (PreparedStatement p =
        api.prepareStatement(
            "SELECT t FROM (SELECT 'pgtrickle_changes.changes_' || source_relid AS t"
                + " FROM pgtrickle.pgt_dependencies WHERE pgt_id = ?"
                + " UNION ALL SELECT 'pgtrickle_changes.aux_' || ?::bigint) x"
                + " WHERE to_regclass(t) IS NOT NULL")) {
      p.setLong(1, diffId);
      p.setLong(2, diffId);
      try (ResultSet rs = p.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }

  @Override
  public void close() throws SQLException {
    try (Statement s = api.createStatement()) {
      s.execute("SELECT pgtrickle.drop_stream_table('" + diffName + "')");
      s.execute("SELECT pgtrickle.drop_stream_table('" + fullName + "')");
    }
  }

  private static long catalogId(Connection api, String name, String expectedMode)
      throws SQLException {
    try (PreparedStatement p =
        api.prepareStatement(
            "SELECT pgt_id, effective_refresh_mode, coalesce(refresh_mode_reason, '')"
                + " FROM pgtrickle.pgt_stream_tables WHERE pgt_schema = 'bench' AND pgt_name = ?")) {
      p.setString(1, name);
      try (ResultSet rs = p.executeQuery()) {
        if (!rs.next()) {
          throw new BenchFailure("stream table bench." + name + " is not in the catalog");
        }
        if (!expectedMode.equals(rs.getString(2))) {
          throw new BenchFailure(
              "stream table bench."
                  + name
                  + " is "
                  + rs.getString(2)
                  + ", expected "
                  + expectedMode
                  + ": "
                  + rs.getString(3));
        }
        return rs.getLong(1);
      }
    }
  }
}
