package io.pgtrickle.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.server.ClientProcess.Result;
import io.pgtrickle.server.protocol.LeakCheckExtension;
import io.pgtrickle.testing.PgTest;
import io.pgtrickle.testing.Sql;
import io.pgtrickle.testing.StreamTableOracle;
import io.pgtrickle.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * pgbench custom scripts through the proxy, several clients at once, writing the sources of an
 * IMMEDIATE aggregate and an IMMEDIATE join-aggregate stream table, in each query mode: in
 * autocommit, in transaction blocks that check inside the transaction that the stream table already
 * holds their writes, and in pipelines. At the end both stream tables equal their queries and the
 * balances add up.
 */
@PgTest
@ExtendWith(LeakCheckExtension.class)
class ProxyImmediatePgbenchIT {
  private static final int CLIENTS = 4;
  private static final int TRANSACTIONS_PER_CLIENT = 100;
  private static final int ACCOUNTS = 1000;
  private static final Duration TIMEOUT = Duration.ofMinutes(3);

  private static final String BUCKETS =
      "SELECT bucket, count(*) AS accounts, sum(balance) AS balance FROM accounts GROUP BY bucket";
  private static final String MOVES =
      "SELECT a.bucket, count(*) AS moves, sum(m.delta) AS delta"
          + " FROM moves m JOIN accounts a ON a.aid = m.aid GROUP BY a.bucket";

  private static final String HEAD =
      """
      \\set aid random(1, %d)
      \\set delta random(-50, 50)
      \\set bucket :aid %% 10
      """
          .formatted(ACCOUNTS);

  private static final String WRITES =
      """
      UPDATE accounts SET balance = balance + :delta WHERE aid = :aid;
      INSERT INTO moves (aid, delta) VALUES (:aid, :delta);
      """;

  /**
   * Divides by zero unless the bucket's row in the stream table equals its query at this point of
   * the transaction, so a stale read fails the client.
   */
  private static final String CHECK =
      """
      SELECT 1 / (SELECT count(*) FROM bucket_totals t WHERE t.bucket = :bucket
          AND t.balance = (SELECT sum(balance) FROM accounts WHERE bucket = :bucket))::int;
      """;

  private static final Map<String, String> SCRIPTS =
      Map.of(
          "autocommit", HEAD + WRITES,
          "transaction", HEAD + "BEGIN;\n" + WRITES + CHECK + "END;\n",
          "pipeline", HEAD + "\\startpipeline\n" + WRITES + "\\endpipeline\n" + CHECK);

  private static TestProxy proxy;

  @TempDir Path work;

  @BeforeAll
  static void setUp(TestDatabase db) throws Exception {
    proxy = TestProxy.start(db);
    db.execute(
        "CREATE TABLE accounts (aid int PRIMARY KEY, bucket int NOT NULL, balance int NOT NULL)");
    db.execute(
        "CREATE TABLE moves (id bigserial PRIMARY KEY, aid int NOT NULL, delta int NOT NULL)");
    db.execute(
        "INSERT INTO accounts SELECT i, i % 10, 100 FROM generate_series(1, " + ACCOUNTS + ") i");
    try (Connection c = proxy.connect(MirroredClient.HANG_GUARD);
        Statement st = c.createStatement()) {
      st.execute(
          "SELECT pgtrickle.create_stream_table('bucket_totals', $$"
              + BUCKETS
              + "$$, schedule => 'IMMEDIATE', refresh_mode => 'DIFFERENTIAL')");
      st.execute(
          "SELECT pgtrickle.create_stream_table('move_totals', $$"
              + MOVES
              + "$$, refresh_mode => 'IMMEDIATE')");
    }
  }

  @AfterAll
  static void stop() {
    if (proxy != null) {
      proxy.close();
    }
  }

  @ParameterizedTest(name = "-M {0}, {1}")
  @CsvSource({
    "simple, autocommit",
    "extended, autocommit",
    "prepared, autocommit",
    "simple, transaction",
    "extended, transaction",
    "prepared, transaction",
    "extended, pipeline",
    "prepared, pipeline"
  })
  void concurrentClientsKeepTheStreamTablesEqualToTheirQueries(
      String mode, String shape, TestDatabase db) throws Exception {
    long movesBefore;
    try (Connection c = db.connect()) {
      movesBefore = Sql.scalar(c, "SELECT count(*) FROM moves");
    }
    Path script = Files.writeString(work.resolve(shape + ".sql"), SCRIPTS.get(shape));

    Result r =
        ClientProcess.run(
            "pgbench",
            db,
            proxy.host(),
            proxy.port(),
            work,
            Map.of(),
            TIMEOUT,
            List.of(
                "-n",
                "-M",
                mode,
                "-c",
                Integer.toString(CLIENTS),
                "-j",
                "2",
                "-t",
                Integer.toString(TRANSACTIONS_PER_CLIENT),
                "--max-tries=10",
                "--random-seed=7",
                "-f",
                script.toString()));

    int transactions = CLIENTS * TRANSACTIONS_PER_CLIENT;
    assertThat(r.exitCode()).as("%s", r).isZero();
    assertThat(r.stdout())
        .as("%s", r)
        .contains("query mode: " + mode + "\n")
        .contains("number of transactions actually processed: " + transactions + "/" + transactions)
        .contains("number of failed transactions: 0 (0.000%)");
    try (Connection c = db.connect()) {
      StreamTableOracle.assertMatchesQuery(c, "bucket_totals", BUCKETS);
      StreamTableOracle.assertMatchesQuery(c, "move_totals", MOVES);
      assertThat(Sql.scalar(c, "SELECT count(*) FROM moves") - movesBefore)
          .as("moves recorded")
          .isEqualTo(transactions);
      assertThat(Sql.scalar(c, "SELECT sum(balance) - " + ACCOUNTS * 100 + " FROM accounts"))
          .as("balances moved by the recorded deltas")
          .isEqualTo(Sql.scalar(c, "SELECT coalesce(sum(delta), 0) FROM moves"));
    }
  }
}
