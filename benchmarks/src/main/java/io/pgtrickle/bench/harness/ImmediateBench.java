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
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The cost of IMMEDIATE maintenance to the writer: single-row autocommit INSERT latency and the
 * time of a transaction of many single-row INSERTs, into a source with no stream table, with one
 * IMMEDIATE aggregate, with one IMMEDIATE join, and with a hand-written statement trigger for
 * comparison; through the pg_trickle driver, through the proxy, and straight to PostgreSQL. Each
 * maintained table is checked against its query (EXCEPT ALL both ways) after each writer.
 *
 * <p>Run {@code java -cp benchmarks/target/benchmarks.jar
 * io.pgtrickle.bench.harness.ImmediateBench} from the repository root (it starts the proxy from
 * {@code proxy-server/target/pgtrickle-proxy.jar} and an embedded PostgreSQL unless {@code --url}
 * is given).
 */
@Command(
    name = "ImmediateBench",
    mixinStandardHelpOptions = true,
    description = "Writer-side cost of IMMEDIATE stream tables (driver, proxy, direct).")
public final class ImmediateBench implements Callable<Integer> {
  @Option(
      names = "--url",
      description = "postgresql://USER[:PASSWORD]@HOST:PORT/DB (default: an embedded PostgreSQL).")
  private String url;

  @Option(
      names = "--proxy-jar",
      description = "The shaded proxy (default: ${DEFAULT-VALUE}).",
      defaultValue = "proxy-server/target/pgtrickle-proxy.jar")
  private Path proxyJar;

  @Option(
      names = "--proxy-jvm-option",
      description = "An option for the proxy's JVM (repeatable), e.g. -XX:StartFlightRecording=…")
  private List<String> proxyJvmOptions = new ArrayList<>();

  @Option(
      names = "--shapes",
      split = ",",
      description = "Any of ${COMPLETION-CANDIDATES} (default: all).")
  private EnumSet<ImmediateShape> shapes = EnumSet.allOf(ImmediateShape.class);

  @Option(
      names = "--writers",
      split = ",",
      description = "Any of ${COMPLETION-CANDIDATES} (default: all).")
  private EnumSet<ImmediateWriter> writers = EnumSet.allOf(ImmediateWriter.class);

  @Option(
      names = "--source-rows",
      description = "Rows in the source before writing (default: ${DEFAULT-VALUE}).",
      defaultValue = "100000")
  private int sourceRows;

  @Option(
      names = "--warmup",
      description = "Untimed autocommit INSERTs before timing (default: ${DEFAULT-VALUE}).",
      defaultValue = "500")
  private int warmup;

  @Option(
      names = "--autocommit",
      description = "Timed autocommit INSERTs (default: ${DEFAULT-VALUE}).",
      defaultValue = "2000")
  private int autocommit;

  @Option(
      names = "--warmup-transactions",
      description = "Untimed transactions before timing (default: ${DEFAULT-VALUE}).",
      defaultValue = "3")
  private int warmupTransactions;

  @Option(
      names = "--transactions",
      description = "Timed transactions (default: ${DEFAULT-VALUE}).",
      defaultValue = "15")
  private int transactions;

  @Option(
      names = "--tx-size",
      description = "INSERTs per transaction (default: ${DEFAULT-VALUE}).",
      defaultValue = "1000")
  private int txSize;

  @Option(
      names = "--pg-setting",
      paramLabel = "NAME=VALUE",
      description = "A setting of the embedded PostgreSQL (repeatable).")
  private List<String> pgSettings = new ArrayList<>();

  @Option(
      names = "--warmup-rounds",
      description =
          "Untimed passes of the no-stream-table measurement on every path before measuring"
              + " (default: ${DEFAULT-VALUE}).",
      defaultValue = "1")
  private int warmupRounds;

  @Option(names = "--out", description = "Also write the results as CSV to this file.")
  private Path out;

  private static final String INSERT = "INSERT INTO ib_src (id, g, v) VALUES (?, ?, ?)";

  /** The next source id to insert; ids only grow, so no INSERT ever conflicts. */
  private long nextId;

  /** One measured sample. */
  private record Result(
      ImmediateShape shape, ImmediateWriter writer, String metric, ImmediateStats stats) {}

  /** Runs the benchmark from the command line. */
  public static void main(String[] args) {
    System.exit(
        new CommandLine(new ImmediateBench())
            .setCaseInsensitiveEnumValuesAllowed(true)
            .execute(args));
  }

  @Override
  public Integer call() throws Exception {
    List<Result> results = new ArrayList<>();
    int mismatches = 0;
    String server;
    try (ImmediateServer pg = ImmediateServer.open(url, pgSettings)) {
      server = pg.describe();
      System.out.println(server);
      // The first driver connection installs the catalog.
      pg.driver().close();
      boolean proxied = writers.stream().anyMatch(ImmediateWriter::viaProxy);
      try (ImmediateProxy proxy =
          proxied ? ImmediateProxy.start(proxyJar, pg.upstream(), proxyJvmOptions) : null) {
        warmUp(pg, proxy);
        for (ImmediateShape shape : shapes) {
          setUp(pg, shape);
          for (ImmediateWriter writer : writers) {
            if (!writer.valid(shape)) {
              continue;
            }
            try (Connection c = writer.connect(pg, proxy)) {
              results.addAll(measure(shape, writer, c, true));
            }
            long diff = differences(pg, shape);
            System.out.printf(
                Locale.ROOT,
                "%s / %s: %s%n",
                shape.label(),
                writer.label(),
                diff == 0 ? "table equals its query" : "MISMATCH in " + diff + " rows");
            mismatches += diff == 0 ? 0 : 1;
          }
        }
      }
    }
    String header =
        "# ImmediateBench "
            + OffsetDateTime.now()
            + "; "
            + server
            + "; source rows "
            + sourceRows
            + ", warm-up "
            + warmup
            + ", autocommit "
            + autocommit
            + ", transactions "
            + transactions
            + " x "
            + txSize
            + ", warm-up rounds "
            + warmupRounds;
    report(System.out, header, results);
    if (out != null) {
      try (PrintStream ps = new PrintStream(Files.newOutputStream(out), true, "UTF-8")) {
        csv(ps, header, results);
      }
    }
    return mismatches == 0 ? 0 : 1;
  }

  /**
   * Runs the no-stream-table measurement untimed on every path first, so this JVM and the proxy's
   * are as warm for the first shape as for the last (otherwise the baseline, measured first, pays
   * for JIT compilation and flatters the ratios to it).
   */
  private void warmUp(ImmediateServer pg, ImmediateProxy proxy) throws SQLException {
    for (int round = 0; round < warmupRounds; round++) {
      setUp(pg, ImmediateShape.NONE);
      for (ImmediateWriter writer : writers) {
        try (Connection c = writer.connect(pg, proxy)) {
          measure(ImmediateShape.NONE, writer, c, false);
        }
      }
    }
  }

  /** Recreates the source, the dimension and what {@code shape} hangs off them. */
  private void setUp(ImmediateServer pg, ImmediateShape shape) throws SQLException {
    try (Connection c = pg.driver();
        Statement st = c.createStatement()) {
      List<String> existing = new ArrayList<>();
      try (ResultSet rs =
          st.executeQuery(
              "SELECT quote_ident(pgt_schema) || '.' || quote_ident(pgt_name)"
                  + " FROM pgtrickle.pgt_stream_tables")) {
        while (rs.next()) {
          existing.add(rs.getString(1));
        }
      }
      for (String name : existing) {
        st.execute("SELECT pgtrickle.drop_stream_table('" + name + "')");
      }
      st.execute("DROP TABLE IF EXISTS ib_src, ib_dim, ib_trig_agg CASCADE");
      st.execute("DROP FUNCTION IF EXISTS ib_trig_fn()");
      st.execute("CREATE TABLE ib_dim (g int PRIMARY KEY, label text NOT NULL)");
      st.execute("INSERT INTO ib_dim SELECT g, 'group ' || g FROM generate_series(0, 99) g");
      st.execute("CREATE TABLE ib_src (id bigint PRIMARY KEY, g int NOT NULL, v int NOT NULL)");
      st.execute(
          "INSERT INTO ib_src SELECT i, i % 100, i % 1000 FROM generate_series(1, "
              + sourceRows
              + ") i");
      st.execute("ANALYZE ib_dim, ib_src");
      for (String sql : shape.setUp()) {
        st.execute(sql);
      }
      st.execute("CHECKPOINT");
    }
    nextId = sourceRows + 1L;
  }

  private List<Result> measure(
      ImmediateShape shape, ImmediateWriter writer, Connection c, boolean print)
      throws SQLException {
    List<Result> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(INSERT)) {
      for (int i = 0; i < warmup; i++) {
        insert(ps);
      }
      long[] single = new long[autocommit];
      for (int i = 0; i < autocommit; i++) {
        long t0 = System.nanoTime();
        insert(ps);
        single[i] = System.nanoTime() - t0;
      }
      out.add(new Result(shape, writer, "autocommit-insert", new ImmediateStats(single)));

      c.setAutoCommit(false);
      long[] whole = new long[transactions];
      long[] commit = new long[transactions];
      for (int t = -warmupTransactions; t < transactions; t++) {
        long t0 = System.nanoTime();
        for (int i = 0; i < txSize; i++) {
          insert(ps);
        }
        long t1 = System.nanoTime();
        c.commit();
        long t2 = System.nanoTime();
        if (t >= 0) {
          whole[t] = t2 - t0;
          commit[t] = t2 - t1;
        }
      }
      c.setAutoCommit(true);
      out.add(new Result(shape, writer, "transaction", new ImmediateStats(whole)));
      out.add(new Result(shape, writer, "transaction-commit", new ImmediateStats(commit)));
    }
    for (Result r : print ? out : List.<Result>of()) {
      System.out.printf(
          Locale.ROOT,
          "%-36s %-24s %-20s median %10.1f us  p99 %10.1f us%n",
          shape.label(),
          writer.label(),
          r.metric(),
          r.stats().median() / 1e3,
          r.stats().percentile(99) / 1e3);
    }
    return out;
  }

  private void insert(PreparedStatement ps) throws SQLException {
    long id = nextId++;
    ps.setLong(1, id);
    ps.setInt(2, (int) (id % 100));
    ps.setInt(3, (int) (id % 1000));
    ps.executeUpdate();
  }

  private static long differences(ImmediateServer pg, ImmediateShape shape) throws SQLException {
    if (shape.differences() == null) {
      return 0;
    }
    try (Connection c = pg.direct();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(shape.differences())) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static Result find(List<Result> all, ImmediateShape s, ImmediateWriter w, String m) {
    return all.stream()
        .filter(r -> r.shape() == s && r.writer() == w && r.metric().equals(m))
        .findFirst()
        .orElse(null);
  }

  /**
   * The summary: medians, p99 of the autocommit latency, and the ratios of each median to the
   * baseline (no stream table, pgjdbc direct) and to the same writer with no stream table.
   */
  private static void report(PrintStream ps, String header, List<Result> all) {
    ps.println();
    ps.println(header);
    ps.printf(
        Locale.ROOT,
        "%-36s %-24s %12s %10s %8s %8s %14s %8s %8s %12s%n",
        "shape",
        "writer",
        "insert med",
        "p99",
        "x base",
        "x same",
        "tx med",
        "x base",
        "x same",
        "commit med");
    for (Result r : all) {
      if (!r.metric().equals("autocommit-insert")) {
        continue;
      }
      Result tx = find(all, r.shape(), r.writer(), "transaction");
      Result commit = find(all, r.shape(), r.writer(), "transaction-commit");
      ps.printf(
          Locale.ROOT,
          "%-36s %-24s %9.1f us %7.1f us %8s %8s %11.1f ms %8s %8s %9.2f ms%n",
          r.shape().label(),
          r.writer().label(),
          r.stats().median() / 1e3,
          r.stats().percentile(99) / 1e3,
          ratio(r, find(all, ImmediateShape.NONE, ImmediateWriter.DIRECT, r.metric())),
          ratio(r, find(all, ImmediateShape.NONE, r.writer(), r.metric())),
          tx.stats().median() / 1e6,
          ratio(tx, find(all, ImmediateShape.NONE, ImmediateWriter.DIRECT, tx.metric())),
          ratio(tx, find(all, ImmediateShape.NONE, r.writer(), tx.metric())),
          commit.stats().median() / 1e6);
    }
  }

  private static String ratio(Result r, Result base) {
    return base == null
        ? "-"
        : String.format(Locale.ROOT, "%.2f", r.stats().median() / base.stats().median());
  }

  private static void csv(PrintStream ps, String header, List<Result> all) {
    ps.println(header);
    ps.println("shape,writer,metric,count,median_us,p99_us,mean_us,min_us,max_us,samples_us");
    for (Result r : all) {
      ImmediateStats s = r.stats();
      ps.printf(
          Locale.ROOT,
          "%s,%s,%s,%d,%.1f,%.1f,%.1f,%.1f,%.1f,%s%n",
          r.shape(),
          r.writer(),
          r.metric(),
          s.count(),
          s.median() / 1e3,
          s.percentile(99) / 1e3,
          s.mean() / 1e3,
          s.min() / 1e3,
          s.max() / 1e3,
          r.metric().startsWith("transaction")
              ? String.join(
                  " ",
                  Arrays.stream(s.sorted())
                      .mapToObj(n -> String.format(Locale.ROOT, "%.0f", n / 1e3))
                      .toList())
              : "");
    }
  }
}
