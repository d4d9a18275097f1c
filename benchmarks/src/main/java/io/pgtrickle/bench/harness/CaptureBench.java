package io.pgtrickle.bench.harness;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The cost of change capture to writers: the same writes to a table that nothing tracks and to the
 * same table as the source of a DIFFERENTIAL stream table (capture triggers filling a change
 * buffer), over plain pgjdbc straight to PostgreSQL, since the capture runs in the server. Bulk
 * statements (an INSERT … SELECT of many rows, an UPDATE and a DELETE of a tenth of them) and
 * single-row autocommit INSERTs; the two variants alternate in each repetition, each on a fresh
 * table.
 */
@Command(
    name = "CaptureBench",
    mixinStandardHelpOptions = true,
    description = "Write throughput on an untracked table against a tracked one.")
public final class CaptureBench implements Callable<Integer> {
  @Option(
      names = "--url",
      description = "postgresql://USER[:PASSWORD]@HOST:PORT/DB (default: an embedded PostgreSQL).")
  private String url;

  @Option(
      names = "--rows",
      description = "Rows of the bulk INSERT (default: ${DEFAULT-VALUE}).",
      defaultValue = "100000")
  private int rows;

  @Option(
      names = "--single",
      description = "Timed single-row autocommit INSERTs (default: ${DEFAULT-VALUE}).",
      defaultValue = "2000")
  private int single;

  @Option(
      names = "--warmup",
      description = "Untimed single-row INSERTs first (default: ${DEFAULT-VALUE}).",
      defaultValue = "300")
  private int warmup;

  @Option(
      names = "--repetitions",
      description = "Repetitions of each variant (default: ${DEFAULT-VALUE}).",
      defaultValue = "5")
  private int repetitions;

  @Option(
      names = "--pg-setting",
      paramLabel = "NAME=VALUE",
      description = "A setting of the embedded PostgreSQL (repeatable).")
  private List<String> pgSettings = new ArrayList<>();

  @Option(names = "--out", description = "Also write the results as CSV to this file.")
  private Path out;

  private static final String STREAM_TABLE =
      "SELECT pgtrickle.create_stream_table('cb_st',"
          + " $$SELECT g, sum(v) AS total, count(*) AS n FROM cb_t GROUP BY g$$,"
          + " schedule => '1h', refresh_mode => 'DIFFERENTIAL')";

  /** The timed operations, each with the number of rows it writes. */
  private enum Op {
    BULK_INSERT,
    UPDATE_10PCT,
    DELETE_10PCT,
    SINGLE_INSERT
  }

  /** Runs the benchmark from the command line. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new CaptureBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    // Durations in ns and row counts, per variant (tracked or not) and operation.
    Map<Boolean, Map<Op, List<long[]>>> samples = new LinkedHashMap<>();
    samples.put(false, new LinkedHashMap<>());
    samples.put(true, new LinkedHashMap<>());
    String server;
    int wrong = 0;
    try (ImmediateServer pg = ImmediateServer.open(url, pgSettings)) {
      server = pg.describe();
      System.out.println(server);
      pg.driver().close();
      for (int r = 0; r < repetitions; r++) {
        boolean first = r % 2 == 1;
        for (boolean tracked : new boolean[] {first, !first}) {
          setUp(pg, tracked);
          try (Connection c = pg.direct()) {
            Map<Op, long[]> one = run(c);
            one.forEach(
                (op, s) -> samples.get(tracked).computeIfAbsent(op, k -> new ArrayList<>()).add(s));
            long expected = tracked ? rows + 2L * (rows / 10) + rows / 10 + warmup + single : 0;
            long captured = captured(c);
            System.out.printf(
                Locale.ROOT,
                "repetition %d, %s: %s%n",
                r,
                tracked ? "tracked" : "untracked",
                one.entrySet().stream()
                    .map(e -> e.getKey() + " " + rate(e.getValue()) + " rows/s")
                    .toList());
            if (captured != expected) {
              System.out.printf("captured %d change rows, expected %d%n", captured, expected);
              wrong++;
            }
          }
        }
      }
    }
    String header =
        "# CaptureBench "
            + OffsetDateTime.now()
            + "; "
            + server
            + "; bulk rows "
            + rows
            + ", single-row INSERTs "
            + single
            + " after "
            + warmup
            + ", repetitions "
            + repetitions;
    report(System.out, header, samples);
    if (out != null) {
      try (PrintStream ps = new PrintStream(Files.newOutputStream(out), true, "UTF-8")) {
        csv(ps, header, samples);
      }
    }
    return wrong == 0 ? 0 : 1;
  }

  /** A fresh {@code cb_t}, tracked by a DIFFERENTIAL stream table or not. */
  private void setUp(ImmediateServer pg, boolean tracked) throws SQLException {
    try (Connection c = pg.driver();
        Statement st = c.createStatement()) {
      boolean exists;
      try (ResultSet rs =
          st.executeQuery(
              "SELECT count(*) FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 'cb_st'")) {
        rs.next();
        exists = rs.getLong(1) > 0;
      }
      if (exists) {
        st.execute("SELECT pgtrickle.drop_stream_table('cb_st')");
      }
      st.execute("DROP TABLE IF EXISTS cb_t");
      // Autovacuum would start at random moments during the timed statements.
      st.execute(
          "CREATE TABLE cb_t (id bigint PRIMARY KEY, g int NOT NULL, v int NOT NULL,"
              + " note text NOT NULL) WITH (autovacuum_enabled = false)");
      if (tracked) {
        st.execute(STREAM_TABLE);
        st.execute(
            "ALTER TABLE pgtrickle_changes.changes_"
                + oid(st)
                + " SET (autovacuum_enabled = false)");
      }
      st.execute("CHECKPOINT");
    }
  }

  private static long oid(Statement st) throws SQLException {
    try (ResultSet rs = st.executeQuery("SELECT 'cb_t'::regclass::oid")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** The timed writes, each as {duration ns, rows}. */
  private Map<Op, long[]> run(Connection c) throws SQLException {
    Map<Op, long[]> out = new LinkedHashMap<>();
    try (Statement st = c.createStatement()) {
      out.put(
          Op.BULK_INSERT,
          timed(
              st,
              "INSERT INTO cb_t SELECT i, i % 100, i % 1000, 'row ' || i"
                  + " FROM generate_series(1, "
                  + rows
                  + ") i"));
      out.put(Op.UPDATE_10PCT, timed(st, "UPDATE cb_t SET v = v + 1 WHERE id % 10 = 0"));
      out.put(Op.DELETE_10PCT, timed(st, "DELETE FROM cb_t WHERE id % 10 = 1"));
    }
    try (PreparedStatement ps =
        c.prepareStatement("INSERT INTO cb_t (id, g, v, note) VALUES (?, ?, ?, ?)")) {
      long id = rows + 1L;
      for (int i = 0; i < warmup; i++) {
        insert(ps, id++);
      }
      long t0 = System.nanoTime();
      for (int i = 0; i < single; i++) {
        insert(ps, id++);
      }
      out.put(Op.SINGLE_INSERT, new long[] {System.nanoTime() - t0, single});
    }
    return out;
  }

  private static long[] timed(Statement st, String sql) throws SQLException {
    long t0 = System.nanoTime();
    long n = st.executeLargeUpdate(sql);
    return new long[] {System.nanoTime() - t0, n};
  }

  private static void insert(PreparedStatement ps, long id) throws SQLException {
    ps.setLong(1, id);
    ps.setInt(2, (int) (id % 100));
    ps.setInt(3, (int) (id % 1000));
    ps.setString(4, "row " + id);
    ps.executeUpdate();
  }

  /** Rows in the change buffer of {@code cb_t}, or 0 without one. */
  private static long captured(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT to_regclass('pgtrickle_changes.changes_' || 'cb_t'::regclass::oid)")) {
      rs.next();
      String buffer = rs.getString(1);
      if (buffer == null) {
        return 0;
      }
      try (ResultSet n = st.executeQuery("SELECT count(*) FROM " + buffer)) {
        n.next();
        return n.getLong(1);
      }
    }
  }

  private static double rowsPerSecond(long[] s) {
    return s[1] / (s[0] / 1e9);
  }

  private static String rate(long[] s) {
    return String.format(Locale.ROOT, "%.0f", rowsPerSecond(s));
  }

  /** The median rows/s of each variant and operation, and tracked / untracked. */
  private static double median(List<long[]> runs) {
    double[] r = runs.stream().mapToDouble(CaptureBench::rowsPerSecond).sorted().toArray();
    int n = r.length;
    return n % 2 == 1 ? r[n / 2] : (r[n / 2 - 1] + r[n / 2]) / 2;
  }

  private static void report(PrintStream ps, String header, Map<Boolean, Map<Op, List<long[]>>> s) {
    ps.println();
    ps.println(header);
    ps.printf(
        Locale.ROOT,
        "%-14s %18s %18s %10s%n",
        "operation",
        "untracked rows/s",
        "tracked rows/s",
        "tracked/un");
    for (Op op : Op.values()) {
      double un = median(s.get(false).get(op));
      double tr = median(s.get(true).get(op));
      ps.printf(Locale.ROOT, "%-14s %18.0f %18.0f %10.2f%n", op, un, tr, tr / un);
    }
  }

  private static void csv(PrintStream ps, String header, Map<Boolean, Map<Op, List<long[]>>> s) {
    ps.println(header);
    ps.println("variant,operation,repetition,rows,duration_us,rows_per_s");
    s.forEach(
        (tracked, ops) ->
            ops.forEach(
                (op, runs) -> {
                  for (int i = 0; i < runs.size(); i++) {
                    long[] r = runs.get(i);
                    ps.printf(
                        Locale.ROOT,
                        "%s,%s,%d,%d,%.1f,%.0f%n",
                        tracked ? "tracked" : "untracked",
                        op,
                        i,
                        r[1],
                        r[0] / 1e3,
                        rowsPerSecond(r));
                  }
                }));
  }
}
