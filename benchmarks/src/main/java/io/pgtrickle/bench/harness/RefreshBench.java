package io.pgtrickle.bench.harness;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The refresh benchmark: the same stream table refreshed FULL and DIFFERENTIAL after the same
 * changes, over a matrix of source sizes, change rates and query shapes; the refresh cost at a
 * fixed number of changes as the source grows; and the latency of a refresh with nothing to do.
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar io.pgtrickle.bench.harness.RefreshBench
 * --help}
 */
@Command(
    name = "RefreshBench",
    mixinStandardHelpOptions = true,
    description = "FULL against DIFFERENTIAL refresh, fixed-change scaling and no-change latency.")
public final class RefreshBench implements Callable<Integer> {

  @Option(
      names = "--url",
      description =
          "jdbc:postgresql://host:port/db of an existing server (default: start an embedded"
              + " PostgreSQL 18 in a temporary directory)")
  String url;

  @Option(names = "--user", description = "user for --url")
  String user;

  @Option(names = "--password", description = "password for --url")
  String password;

  @Option(
      names = "--sizes",
      split = ",",
      defaultValue = "10000,100000,1000000",
      description = "source sizes in rows (default: ${DEFAULT-VALUE})")
  List<Integer> sizes;

  @Option(names = "--with-10m", description = "also run 10,000,000 rows")
  boolean with10m;

  @Option(
      names = "--rates",
      split = ",",
      defaultValue = "0.001,0.01,0.1,0.5",
      description = "changes per cycle as a fraction of the source (default: ${DEFAULT-VALUE})")
  List<Double> rates;

  @Option(
      names = "--queries",
      defaultValue = "all",
      description =
          "matrix queries: all, or some of scan,filter,agg_few,agg_many,join,join_agg,"
              + "left_join_agg; empty for none (default: ${DEFAULT-VALUE})")
  String queries;

  @Option(
      names = "--repeat",
      defaultValue = "0",
      description = "cycles per cell (default: 10 up to 10K rows, 5 up to 100K, else 3)")
  int repeat;

  @Option(
      names = "--fixed-changes",
      defaultValue = "1000",
      description = "changes per cycle of the fixed-change series; 0 to skip it")
  int fixedChanges;

  @Option(
      names = "--fixed-queries",
      defaultValue = "agg_few,agg_many,join_agg",
      description = "queries of the fixed-change series (default: ${DEFAULT-VALUE})")
  String fixedQueries;

  @Option(
      names = "--nochange-queries",
      defaultValue = "scan,agg_few,join_agg,left_join_agg",
      description = "queries whose no-change refresh is timed; empty for none")
  String noChangeQueries;

  @Option(names = "--nochange-samples", defaultValue = "300", description = "timed samples")
  int noChangeSamples;

  @Option(names = "--nochange-warmup", defaultValue = "50", description = "untimed refreshes first")
  int noChangeWarmup;

  @Option(
      names = "--check-every-cycle-up-to",
      defaultValue = "100000",
      description =
          "compare the stream tables with their query after every cycle up to this size;"
              + " larger sizes after each cell's last cycle (default: ${DEFAULT-VALUE})")
  int checkEveryCycleUpTo;

  @Option(
      names = "--jvm-warmup-cycles",
      defaultValue = "150",
      description =
          "untimed refresh cycles per query over 2,000 rows before measuring, so the Java code"
              + " is compiled (default: ${DEFAULT-VALUE})")
  int jvmWarmupCycles;

  @Option(names = "--seed", description = "seed of the data and changes (default: random)")
  Long seed;

  @Option(
      names = "--out",
      defaultValue = "refresh-results.csv",
      description = "CSV file, appended to if it exists (default: ${DEFAULT-VALUE})")
  Path out;

  @Option(
      names = "--synchronous-commit",
      defaultValue = "true",
      negatable = true,
      fallbackValue = "true",
      description = "embedded server only: synchronous_commit on (PostgreSQL's default) or off")
  boolean synchronousCommit;

  @Option(
      names = "--explain-log",
      description =
          "embedded server only, for profiling (not for measuring): log the plan of every"
              + " statement slower than --explain-min-ms, with actual times, to this file")
  Path explainLog;

  @Option(names = "--explain-min-ms", defaultValue = "5", description = "see --explain-log")
  int explainMinMs;

  public static void main(String[] args) {
    System.exit(new CommandLine(new RefreshBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    PrintStream log = System.out;
    long actualSeed = seed != null ? seed : new SplittableRandom().nextLong() & Long.MAX_VALUE;
    List<Integer> allSizes = new ArrayList<>(sizes);
    if (with10m && !allSizes.contains(10_000_000)) {
      allSizes.add(10_000_000);
    }
    RefreshMatrix.Settings settings =
        new RefreshMatrix.Settings(
            allSizes,
            rates,
            BenchQuery.parseList(queries),
            repeat,
            fixedChanges,
            BenchQuery.parseList(fixedQueries),
            BenchQuery.parseList(noChangeQueries),
            noChangeWarmup,
            noChangeSamples,
            checkEveryCycleUpTo,
            jvmWarmupCycles,
            actualSeed);
    try (BenchServer server =
        url == null
            ? BenchServer.embedded(synchronousCommit, explainLog, explainMinMs)
            : BenchServer.external(url, user, password)) {
      List<Measurement> results;
      List<String> failures;
      try (Connection api = server.connectApi();
          Connection data = server.connectPlain()) {
        describe(log, data, settings, server.isEmbedded());
        RefreshMatrix matrix = new RefreshMatrix(api, data, settings, log);
        matrix.run();
        results = matrix.results();
        failures = matrix.failures();
      }
      write(results);
      log.println();
      log.print(MarkdownReport.render(results));
      log.println();
      log.println("CSV: " + out.toAbsolutePath());
      if (!failures.isEmpty()) {
        log.println();
        log.println("THE RUN FAILED (" + failures.size() + " failures, seed " + actualSeed + "):");
        failures.forEach(f -> log.println("  " + f));
        return 1;
      }
      return 0;
    }
  }

  private static void describe(
      PrintStream log, Connection c, RefreshMatrix.Settings s, boolean embedded)
      throws SQLException {
    log.println("pg_trickle refresh benchmark, " + OffsetDateTime.now(ZoneOffset.UTC));
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT version(), current_setting('shared_buffers'),"
                    + " current_setting('work_mem'), current_setting('synchronous_commit'),"
                    + " current_setting('autovacuum'), current_setting('jit')")) {
      rs.next();
      log.println("server: " + (embedded ? "embedded, " : "") + rs.getString(1));
      log.println(
          "settings: shared_buffers="
              + rs.getString(2)
              + " work_mem="
              + rs.getString(3)
              + " synchronous_commit="
              + rs.getString(4)
              + " autovacuum="
              + rs.getString(5)
              + " jit="
              + rs.getString(6));
    }
    log.println(
        "JVM: "
            + System.getProperty("java.vm.name")
            + " "
            + System.getProperty("java.runtime.version"));
    log.println("seed: " + s.seed() + " (replay with --seed " + s.seed() + ")");
    log.println(
        "timing: client-side wall time (System.nanoTime) of one"
            + " SELECT pgtrickle.refresh_stream_table(...) in autocommit through the pg_trickle"
            + " driver, commit included; medians over the cycles of a cell");
    log.println(
        "vacuum: VACUUM ANALYZE of the sources after loading, and of the changed source, both"
            + " stream tables, the change buffer and the running totals after every cycle,"
            + " outside the timed calls");
    log.println(
        "checks: history action of every refresh (FULL / DIFFERENTIAL / NO_DATA as meant);"
            + " both stream tables EXCEPT ALL their query both ways after every cycle up to "
            + s.checkEveryCycleUpTo()
            + " rows, after each cell's last cycle above");
    log.println();
  }

  private void write(List<Measurement> results) throws IOException {
    boolean fresh = !Files.exists(out) || Files.size(out) == 0;
    List<String> lines = new ArrayList<>();
    if (fresh) {
      lines.add(Measurement.CSV_HEADER);
    }
    results.forEach(m -> lines.add(m.csv()));
    if (out.toAbsolutePath().getParent() != null) {
      Files.createDirectories(out.toAbsolutePath().getParent());
    }
    Files.write(
        out, lines, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }
}
