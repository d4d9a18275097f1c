package io.pgtrickle.server;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The command-line entry point. With no {@code --upstream} it starts an embedded PostgreSQL kept in
 * {@code --data-dir}; it then walks through creating, querying and refreshing a stream table
 * through the {@code jdbc:pgtrickle:} driver, printing each statement and its result.
 */
@Command(
    name = "pgtrickle-proxy",
    mixinStandardHelpOptions = true,
    version = "pg_trickle for Java 0.1.0-SNAPSHOT",
    description = "Stream tables for PostgreSQL. Runs the quick-start walkthrough.")
public final class Main implements Callable<Integer> {

  @Option(
      names = "--upstream",
      paramLabel = "postgresql://USER[:PASSWORD]@HOST:PORT/DB",
      description = "PostgreSQL to use; default: an embedded PostgreSQL 18 in --data-dir.")
  private String upstream;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "Data directory of the embedded PostgreSQL (default: ${DEFAULT-VALUE}).",
      defaultValue = "pgtrickle-data")
  private Path dataDir;

  /** Runs the command line and exits with its status. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new Main()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (upstream != null) {
      Upstream u = Upstream.parse(upstream);
      walkthrough(u.jdbcUrl(), u.user(), u.password());
      return 0;
    }
    System.out.println("Starting embedded PostgreSQL in " + dataDir.toAbsolutePath() + " ...");
    try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(dataDir)) {
      walkthrough(
          "jdbc:pgtrickle:postgresql://127.0.0.1:" + pg.port() + "/postgres", pg.user(), null);
    }
    return 0;
  }

  private static void walkthrough(String url, String user, String password) throws SQLException {
    System.out.println("Connecting to " + url);
    try (Connection c = DriverManager.getConnection(url, user, password);
        Statement st = c.createStatement()) {
      // Start clean, so the walkthrough can be run again on the same data directory.
      try (ResultSet rs =
          st.executeQuery(
              "SELECT count(*) FROM pgtrickle.pgt_stream_tables"
                  + " WHERE pgt_name = 'quickstart_totals'")) {
        rs.next();
        if (rs.getLong(1) > 0) {
          run(st, "SELECT pgtrickle.drop_stream_table('quickstart_totals')");
        }
      }
      run(st, "DROP TABLE IF EXISTS quickstart_orders");
      run(st, "CREATE TABLE quickstart_orders (id int PRIMARY KEY, region text, amount numeric)");
      run(st, "INSERT INTO quickstart_orders VALUES (1, 'US', 100), (2, 'EU', 200), (3, 'US', 50)");
      run(
          st,
          "SELECT pgtrickle.create_stream_table('quickstart_totals',"
              + " $$SELECT region, SUM(amount) AS total, COUNT(*) AS cnt"
              + " FROM quickstart_orders GROUP BY region$$, refresh_mode => 'DIFFERENTIAL')");
      run(st, "SELECT * FROM quickstart_totals ORDER BY region");
      run(st, "INSERT INTO quickstart_orders VALUES (4, 'EU', 25)");
      run(st, "SELECT pgtrickle.refresh_stream_table('quickstart_totals')");
      run(st, "SELECT * FROM quickstart_totals ORDER BY region");
      run(
          st,
          "SELECT pgt_name, refresh_mode, effective_refresh_mode, status, is_populated"
              + " FROM pgtrickle.stream_tables_info");
      run(
          st,
          "SELECT action, rows_inserted, rows_deleted, status, initiated_by, reason"
              + " FROM pgtrickle.pgt_refresh_history ORDER BY refresh_id");
    }
  }

  private static void run(Statement st, String sql) throws SQLException {
    System.out.println();
    System.out.println("=> " + sql);
    if (st.execute(sql)) {
      try (ResultSet rs = st.getResultSet()) {
        print(rs);
      }
    } else {
      System.out.println("(" + st.getUpdateCount() + " rows)");
    }
  }

  private static void print(ResultSet rs) throws SQLException {
    ResultSetMetaData md = rs.getMetaData();
    StringBuilder header = new StringBuilder();
    for (int i = 1; i <= md.getColumnCount(); i++) {
      header.append(i > 1 ? " | " : "").append(md.getColumnLabel(i));
    }
    System.out.println(header);
    int rows = 0;
    while (rs.next()) {
      StringBuilder line = new StringBuilder();
      for (int i = 1; i <= md.getColumnCount(); i++) {
        line.append(i > 1 ? " | " : "").append(rs.getString(i));
      }
      System.out.println(line);
      rows++;
    }
    System.out.println("(" + rows + (rows == 1 ? " row)" : " rows)"));
  }
}
