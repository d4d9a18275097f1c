package io.pgtrickle.bench.harness;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Runs the refresh benchmark on two connections to one database: {@code api} through the pg_trickle
 * driver (scheduler off) for every API call and refresh, {@code data} through plain pgjdbc for
 * loading, changes and VACUUM.
 *
 * <p>For each source size the tables are loaded once; then, one query at a time, a FULL and a
 * DIFFERENTIAL stream table of that query are created (the DIFFERENTIAL one is then the only
 * consumer of the change buffer), one untimed warm-up cycle runs, and every cell of that query runs
 * its cycles: apply a change batch, refresh both (alternating which goes first), check, VACUUM. The
 * pair is dropped before the next query.
 */
final class RefreshMatrix {
  /** What to run; see {@link RefreshBench} for the meaning of each option. */
  record Settings(
      List<Integer> sizes,
      List<Double> rates,
      List<BenchQuery> queries,
      int repeat,
      int fixedChanges,
      List<BenchQuery> fixedQueries,
      List<BenchQuery> noChangeQueries,
      int noChangeWarmup,
      int noChangeSamples,
      int checkEveryCycleUpTo,
      int jvmWarmupCycles,
      long seed) {
    Settings {
      sizes = List.copyOf(sizes);
      rates = List.copyOf(rates);
      queries = List.copyOf(queries);
      fixedQueries = List.copyOf(fixedQueries);
      noChangeQueries = List.copyOf(noChangeQueries);
    }

    /** Cycles per cell: {@code repeat} if set, else 10 up to 10K rows, 5 up to 100K, else 3. */
    int cycles(int size) {
      if (repeat > 0) {
        return repeat;
      }
      return size <= 10_000 ? 10 : size <= 100_000 ? 5 : 3;
    }
  }

  private final Connection api;
  private final Connection data;
  private final Settings settings;
  private final PrintStream log;
  private final List<Measurement> results = new ArrayList<>();
  private final List<String> failures = new ArrayList<>();

  RefreshMatrix(Connection api, Connection data, Settings settings, PrintStream log) {
    this.api = api;
    this.data = data;
    this.settings = settings;
    this.log = log;
  }

  List<Measurement> results() {
    return List.copyOf(results);
  }

  /** Every failure, loudly printed as it happened; an empty list means the run counts. */
  List<String> failures() {
    return List.copyOf(failures);
  }

  /** Runs everything the settings ask for; failures are collected, not thrown. */
  void run() throws SQLException {
    Set<BenchQuery> all = EnumSet.noneOf(BenchQuery.class);
    all.addAll(settings.queries());
    if (settings.fixedChanges() > 0) {
      all.addAll(settings.fixedQueries());
    }
    all.addAll(settings.noChangeQueries());
    if (settings.jvmWarmupCycles() > 0) {
      warmUpJvm(all);
    }
    for (int size : settings.sizes()) {
      long seed = settings.seed() * 1_000_003L + size;
      OrdersWorkload w = new OrdersWorkload(size, seed);
      long t0 = System.nanoTime();
      w.load(data);
      log.printf(
          Locale.ROOT,
          "size %,d: loaded and analysed in %.1f s (seed %d)%n",
          size,
          (System.nanoTime() - t0) / 1e9,
          seed);
      for (BenchQuery q : all) {
        try {
          runQuery(w, q, seed);
        } catch (BenchFailure e) {
          fail(size + " " + q.label() + ": " + e.getMessage());
          dropQuietly(q);
        }
      }
    }
  }

  /**
   * Runs every query's refreshes many times over a tiny table first, untimed, so the measured
   * refreshes run the driver's and engine's code compiled rather than interpreted, as in a
   * long-running application.
   */
  private void warmUpJvm(Set<BenchQuery> queries) throws SQLException {
    long t0 = System.nanoTime();
    OrdersWorkload w = new OrdersWorkload(2_000, settings.seed());
    w.load(data);
    for (BenchQuery q : queries) {
      try (StreamPair pair = StreamPair.create(api, q)) {
        for (int i = 0; i < settings.jvmWarmupCycles(); i++) {
          w.apply(data, 20);
          pair.refreshFull();
          pair.refreshDiff("DIFFERENTIAL");
          pair.refreshDiff("NO_DATA");
        }
        pair.checkAgainstQuery();
      }
    }
    log.printf(
        Locale.ROOT,
        "JVM warm-up: %d untimed cycles per query over 2,000 rows in %.1f s%n",
        settings.jvmWarmupCycles(),
        (System.nanoTime() - t0) / 1e9);
  }

  private void runQuery(OrdersWorkload w, BenchQuery q, long seed) throws SQLException {
    long t0 = System.nanoTime();
    try (StreamPair pair = StreamPair.create(api, q)) {
      log.printf(
          Locale.ROOT,
          "  %s: both stream tables created and populated in %.1f s%n",
          q.label(),
          (System.nanoTime() - t0) / 1e9);
      vacuum(pair);
      // Warm-up: the first DIFFERENTIAL refresh also plans the query in this JVM.
      w.apply(data, w.changesAt(0.001));
      pair.refreshFull();
      pair.refreshDiff("DIFFERENTIAL");
      pair.checkAgainstQuery();
      vacuum(pair);
      if (settings.queries().contains(q)) {
        for (double rate : settings.rates()) {
          cell(w, pair, "matrix", rate, w.changesAt(rate), seed);
        }
      }
      if (settings.fixedChanges() > 0 && settings.fixedQueries().contains(q)) {
        int k = settings.fixedChanges();
        cell(w, pair, "fixed", (double) k / w.size(), k, seed);
      }
      if (settings.noChangeQueries().contains(q)) {
        noChange(w, pair, seed);
      }
    }
  }

  private void cell(OrdersWorkload w, StreamPair pair, String kind, double rate, int k, long seed)
      throws SQLException {
    int cycles = settings.cycles(w.size());
    List<Double> full = new ArrayList<>();
    List<Double> diff = new ArrayList<>();
    String status = "ok";
    try {
      for (int i = 0; i < cycles; i++) {
        w.apply(data, k);
        if (i % 2 == 0) {
          full.add(pair.refreshFull());
          diff.add(pair.refreshDiff("DIFFERENTIAL"));
        } else {
          diff.add(pair.refreshDiff("DIFFERENTIAL"));
          full.add(pair.refreshFull());
        }
        if (w.size() <= settings.checkEveryCycleUpTo() || i == cycles - 1) {
          pair.checkAgainstQuery();
        }
        vacuum(pair);
      }
    } catch (BenchFailure e) {
      status = "FAILED";
      fail(w.size() + " " + pair.query().label() + " " + kind + " " + k + ": " + e.getMessage());
    }
    Measurement m =
        new Measurement(kind, w.size(), pair.query().label(), rate, k, full, diff, seed, status);
    results.add(m);
    log.printf(
        Locale.ROOT,
        "    %-6s %8s changes %,9d  FULL %10.2f ms  DIFFERENTIAL %9.2f ms  ratio %7.1f  (%d cycles%s)%n",
        kind,
        Measurement.fmt(rate * 100, 2) + "%",
        k,
        m.fullMedian(),
        m.diffMedian(),
        m.ratio(),
        cycles,
        m.ok() ? "" : ", FAILED");
  }

  private void noChange(OrdersWorkload w, StreamPair pair, long seed) throws SQLException {
    List<Double> samples = new ArrayList<>();
    String status = "ok";
    try {
      for (int i = 0; i < settings.noChangeWarmup(); i++) {
        pair.refreshDiff("NO_DATA");
      }
      for (int i = 0; i < settings.noChangeSamples(); i++) {
        samples.add(pair.refreshDiff("NO_DATA"));
      }
      pair.checkAgainstQuery();
    } catch (BenchFailure e) {
      status = "FAILED";
      fail(w.size() + " " + pair.query().label() + " no-change: " + e.getMessage());
    }
    Measurement m =
        new Measurement(
            "nochange", w.size(), pair.query().label(), 0, 0, List.of(), samples, seed, status);
    results.add(m);
    log.printf(
        Locale.ROOT,
        "    no-change refresh: median %.3f ms, p99 %.3f ms over %d samples%s%n",
        m.diffMedian(),
        Stats.percentile(samples, 99),
        samples.size(),
        m.ok() ? "" : ", FAILED");
  }

  /**
   * VACUUM ANALYZE of the source that changes, both stream tables, the change buffer and the
   * running totals, outside any timed region, so every cycle starts from the same state.
   */
  private void vacuum(StreamPair pair) throws SQLException {
    List<String> tables = new ArrayList<>(List.of("bench.orders"));
    tables.addAll(pair.maintainedTables());
    try (Statement s = data.createStatement()) {
      s.execute("VACUUM ANALYZE " + String.join(", ", tables));
    }
  }

  private void fail(String message) {
    failures.add(message);
    log.println();
    log.println("*************** FAILURE ***************");
    log.println(message);
    log.println("seed " + settings.seed() + "; this cell is not counted");
    log.println("***************************************");
    log.println();
  }

  private void dropQuietly(BenchQuery q) {
    for (String suffix : new String[] {"_diff", "_full"}) {
      try (Statement s = api.createStatement()) {
        s.execute("SELECT pgtrickle.drop_stream_table('bench.st_" + q.label() + suffix + "')");
      } catch (SQLException ignored) {
        // Already gone, or never created: nothing to clean up.
      }
    }
  }
}
