package io.pgtrickle.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.server.ClientProcess.Result;
import io.pgtrickle.server.protocol.LeakCheckExtension;
import io.pgtrickle.testing.PgTest;
import io.pgtrickle.testing.StreamTableOracle;
import io.pgtrickle.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * pgbench through the proxy, in each of its query modes, leaves the database as consistent as a
 * direct run, and keeps a stream table refreshed from its transactions correct.
 */
@PgTest
@ExtendWith(LeakCheckExtension.class)
class ProxyPgbenchIT {
  private static final int CLIENTS = 4;
  private static final int TRANSACTIONS_PER_CLIENT = 200;
  private static final int TRANSACTIONS = CLIENTS * TRANSACTIONS_PER_CLIENT;
  private static final Duration TIMEOUT = Duration.ofMinutes(3);

  /** The summary lines that do not depend on timing, e.g. "query mode: prepared". */
  private static final Pattern STABLE_SUMMARY =
      Pattern.compile(
          "(transaction type|scaling factor|query mode|number of [a-z ]+|maximum number of tries):"
              + " .*");

  /** Each transaction updates one account and records the change in the history. */
  private static final String ACCOUNT_SCRIPT =
      """
      \\set aid random(1, 100000 * :scale)
      \\set delta random(-5000, 5000)
      SELECT abalance FROM pgbench_accounts WHERE aid = :aid;
      UPDATE pgbench_accounts SET abalance = abalance + :delta WHERE aid = :aid;
      INSERT INTO pgbench_history (tid, bid, aid, delta, mtime)
          VALUES (1, 1, :aid, :delta, CURRENT_TIMESTAMP);
      """;

  /**
   * The account script between %1$s and %3$s (a transaction block or a pipeline), refreshing the
   * stream table %2$s in about a quarter of the transactions.
   */
  private static final String REFRESH_SCRIPT =
      """
      \\set aid random(1, 100000 * :scale)
      \\set delta random(-5000, 5000)
      \\set refresh random(1, 4)
      %1$s
      SELECT abalance FROM pgbench_accounts WHERE aid = :aid;
      UPDATE pgbench_accounts SET abalance = abalance + :delta WHERE aid = :aid;
      INSERT INTO pgbench_history (tid, bid, aid, delta, mtime)
          VALUES (1, 1, :aid, :delta, CURRENT_TIMESTAMP);
      \\if :refresh = 1
      SELECT pgtrickle.refresh_stream_table('%2$s');
      \\endif
      %3$s
      """;

  private static final String BRANCH_TOTALS_QUERY =
      "SELECT bid, sum(abalance) AS balance, count(*) AS accounts FROM pgbench_accounts"
          + " GROUP BY bid";

  private static TestProxy proxy;

  @TempDir Path work;

  @BeforeAll
  static void startProxy(TestDatabase db) throws Exception {
    proxy = TestProxy.start(db);
  }

  @AfterAll
  static void stopProxy() {
    if (proxy != null) {
      proxy.close();
    }
  }

  @ParameterizedTest(name = "-M {0}")
  @ValueSource(strings = {"simple", "extended", "prepared"})
  void tpcbKeepsItsInvariantsAsDirectly(String mode, TestDatabase db) throws Exception {
    initialize(db, db.host(), db.port());
    Result direct = bench(db, db.host(), db.port(), mode);
    assertTpcbInvariants(db);

    initialize(db, proxy.host(), proxy.port());
    Result proxied = bench(db, proxy.host(), proxy.port(), mode);
    assertTpcbInvariants(db);

    assertThat(proxied.stdout()).contains("transaction type: <builtin: TPC-B (sort of)>");
    assertThat(stableSummary(proxied)).isEqualTo(stableSummary(direct));
  }

  @ParameterizedTest(name = "-M {0}")
  @ValueSource(strings = {"simple", "extended", "prepared"})
  void customScriptKeepsItsInvariantsAsDirectly(String mode, TestDatabase db) throws Exception {
    Path script = Files.writeString(work.resolve("accounts.sql"), ACCOUNT_SCRIPT);
    initialize(db, db.host(), db.port());
    Result direct = bench(db, db.host(), db.port(), mode, "-f", script.toString());
    assertAccountInvariants(db);

    initialize(db, proxy.host(), proxy.port());
    Result proxied = bench(db, proxy.host(), proxy.port(), mode, "-f", script.toString());
    assertAccountInvariants(db);

    assertThat(stableSummary(proxied)).isEqualTo(stableSummary(direct));
  }

  /**
   * About one transaction in four refreshes a DIFFERENTIAL stream table over the accounts that they
   * all change, inside its transaction block or in a pipeline, while the other clients write.
   * Refreshes of one stream table take turns, so refreshing in every transaction would make the run
   * as slow as 800 refreshes in a row.
   */
  @ParameterizedTest(name = "-M {0}, {1}")
  @CsvSource({
    "simple, transaction",
    "extended, transaction",
    "prepared, transaction",
    "extended, pipeline",
    "prepared, pipeline"
  })
  void refreshesAmongTheTransactionsKeepTheStreamTableCorrect(
      String mode, String shape, TestDatabase db) throws Exception {
    String name = "branch_totals_" + mode + "_" + shape;
    boolean pipeline = shape.equals("pipeline");
    String script =
        REFRESH_SCRIPT.formatted(
            pipeline ? "\\startpipeline" : "BEGIN;", name, pipeline ? "\\endpipeline" : "END;");
    Path file = Files.writeString(work.resolve(name + ".sql"), script);

    initialize(db, proxy.host(), proxy.port());
    try (Connection c = proxy.connect();
        Statement s = c.createStatement()) {
      s.execute(
          "SELECT pgtrickle.create_stream_table('"
              + name
              + "', $$"
              + BRANCH_TOTALS_QUERY
              + "$$, refresh_mode => 'DIFFERENTIAL')");
    }
    try {
      bench(db, proxy.host(), proxy.port(), mode, "-f", file.toString(), "--random-seed=7");
      try (Connection c = proxy.connect();
          Statement s = c.createStatement()) {
        s.execute("SELECT pgtrickle.refresh_stream_table('" + name + "')");
      }

      assertAccountInvariants(db);
      try (Connection c = db.connect()) {
        StreamTableOracle.assertMatchesQuery(c, name, BRANCH_TOTALS_QUERY);
        Map<String, Long> actions =
            counts(
                c,
                "SELECT h.action || ' ' || h.status, count(*)"
                    + " FROM pgtrickle.pgt_refresh_history h"
                    + " JOIN pgtrickle.pgt_stream_tables s USING (pgt_id)"
                    + " WHERE s.pgt_name = '"
                    + name
                    + "' AND h.initiated_by = 'MANUAL' GROUP BY 1");
        // Each refresh either applied changes or found none; none fell back to FULL or failed.
        assertThat(actions.keySet())
            .as("refreshes by action and status: %s", actions)
            .contains("DIFFERENTIAL COMPLETED")
            .isSubsetOf("DIFFERENTIAL COMPLETED", "NO_DATA COMPLETED");
        // 200 expected, give or take 12: the bounds are eight standard deviations away.
        assertThat(actions.values().stream().mapToLong(Long::longValue).sum())
            .as("recorded refreshes: %s", actions)
            .isBetween(TRANSACTIONS / 8L, TRANSACTIONS / 2L);
      }
    } finally {
      try (Connection c = proxy.connect();
          Statement s = c.createStatement()) {
        s.execute("SELECT pgtrickle.drop_stream_table('" + name + "')");
      }
    }
  }

  // ---- running pgbench ----

  /** {@code pgbench -i -s 1}: the four tables, 100,000 accounts loaded with COPY. */
  private void initialize(TestDatabase db, String host, int port) throws Exception {
    Result r =
        ClientProcess.run(
            "pgbench", db, host, port, work, Map.of(), TIMEOUT, List.of("-i", "-s", "1", "-q"));
    assertThat(r.exitCode()).as("%s", r).isZero();
    assertThat(r.stderr()).as("%s", r).contains("done in");
  }

  /** Runs a fixed number of transactions on several connections and checks none failed. */
  private Result bench(TestDatabase db, String host, int port, String mode, String... extra)
      throws Exception {
    List<String> args = new ArrayList<>();
    args.addAll(List.of("-M", mode, "-c", Integer.toString(CLIENTS), "-j", "2"));
    args.addAll(List.of("-t", Integer.toString(TRANSACTIONS_PER_CLIENT)));
    args.addAll(List.of(extra));
    Result r = ClientProcess.run("pgbench", db, host, port, work, Map.of(), TIMEOUT, args);
    assertThat(r.exitCode()).as("%s", r).isZero();
    assertThat(r.stdout())
        .as("%s", r)
        .contains("query mode: " + mode + "\n")
        .contains("number of transactions actually processed: " + TRANSACTIONS + "/" + TRANSACTIONS)
        .contains("number of failed transactions: 0 (0.000%)");
    return r;
  }

  private static List<String> stableSummary(Result r) {
    return r.stdout()
        .lines()
        .filter(line -> STABLE_SUMMARY.matcher(line).matches())
        .collect(Collectors.toList());
  }

  // ---- checking the database ----

  /** The balances of the TPC-B tables and the history, read in one snapshot. */
  private record Balances(
      long accounts, long branches, long tellers, long historyDelta, long historyRows) {}

  private static Balances balances(TestDatabase db) throws SQLException {
    try (Connection c = db.connect();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT (SELECT sum(abalance) FROM pgbench_accounts),"
                    + " (SELECT sum(bbalance) FROM pgbench_branches),"
                    + " (SELECT sum(tbalance) FROM pgbench_tellers),"
                    + " (SELECT coalesce(sum(delta), 0) FROM pgbench_history),"
                    + " (SELECT count(*) FROM pgbench_history)")) {
      rs.next();
      return new Balances(
          rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5));
    }
  }

  /** TPC-B moves each delta into an account, its teller and its branch, and logs it. */
  private static void assertTpcbInvariants(TestDatabase db) throws SQLException {
    Balances b = balances(db);
    assertThat(b.historyRows()).as("%s", b).isEqualTo(TRANSACTIONS);
    assertThat(List.of(b.accounts(), b.branches(), b.tellers()))
        .as("%s", b)
        .containsOnly(b.historyDelta());
  }

  /** The account script moves each delta into an account only, and logs it. */
  private static void assertAccountInvariants(TestDatabase db) throws SQLException {
    Balances b = balances(db);
    assertThat(b.historyRows()).as("%s", b).isEqualTo(TRANSACTIONS);
    assertThat(b.accounts()).as("%s", b).isEqualTo(b.historyDelta());
    assertThat(List.of(b.branches(), b.tellers())).as("%s", b).containsOnly(0L);
  }

  private static Map<String, Long> counts(Connection c, String sql) throws SQLException {
    Map<String, Long> counts = new HashMap<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        counts.put(rs.getString(1), rs.getLong(2));
      }
    }
    return counts;
  }
}
