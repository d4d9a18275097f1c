package io.pgtrickle.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.server.protocol.LeakCheckExtension;
import io.pgtrickle.testing.PgTest;
import io.pgtrickle.testing.RandomQueries;
import io.pgtrickle.testing.Sql;
import io.pgtrickle.testing.StreamTableOracle;
import io.pgtrickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.core.TransactionState;

/**
 * IMMEDIATE through the proxy under concurrency: several writers on their own connections (pgjdbc
 * in different query modes, in autocommit and in transactions) at each isolation level, with manual
 * refreshes meanwhile, while another connection checks that every committed state already has each
 * stream table equal to its query; writers of different sources of one stream table never deadlock;
 * and writes that bypass the proxy are applied by the next maintenance or refresh.
 *
 * <p>Seeded: {@code -Dpgtrickle.seed=N} replays a failure, whose message prints the seed.
 */
@PgTest
@ExtendWith(LeakCheckExtension.class)
class ProxyImmediateConcurrencyIT {
  private static final long SEED = Long.getLong("pgtrickle.seed", System.nanoTime());
  private static final int WRITERS = 4;
  private static final int TRANSACTIONS_PER_WRITER = 15;

  /** The writers' pgjdbc settings, one per writer. */
  private static final List<String> MODES =
      List.of("preferQueryMode=simple", "", "prepareThreshold=1", "preferQueryMode=simple");

  /** Stream table name to defining query: a join and aggregates over the random schema. */
  private static final Map<String, String> TABLES = new LinkedHashMap<>();

  static {
    TABLES.put(
        "imm_join", "SELECT a.id, a.g, b.id AS bid, b.w FROM r1 a JOIN r2 b ON b.r1_id = a.id");
    TABLES.put("imm_agg", "SELECT g, count(*) AS n, sum(v) AS sv FROM r1 GROUP BY g");
    TABLES.put(
        "imm_join_agg",
        "SELECT a.g, count(*) AS n, sum(b.w) AS sw FROM r1 a JOIN r2 b ON b.r1_id = a.id"
            + " GROUP BY a.g");
    TABLES.put("imm_bag", "SELECT k, count(*) AS n, sum(x) AS sx FROM r3 GROUP BY k");
  }

  private static TestProxy proxy;

  @BeforeAll
  static void setUp(TestDatabase db) throws Exception {
    proxy = TestProxy.start(db);
    try (Connection c = db.connect();
        Statement st = c.createStatement()) {
      for (String ddl : RandomQueries.SCHEMA) {
        st.execute(ddl);
      }
      for (String dml : RandomQueries.dml(new SplittableRandom(SEED), 60)) {
        st.execute(dml);
      }
    }
    try (Connection c = proxy.connect(MirroredClient.HANG_GUARD);
        Statement st = c.createStatement()) {
      for (Map.Entry<String, String> t : TABLES.entrySet()) {
        st.execute(
            "SELECT pgtrickle.create_stream_table('"
                + t.getKey()
                + "', $$"
                + t.getValue()
                + "$$, refresh_mode => 'IMMEDIATE')");
      }
    }
  }

  @AfterAll
  static void stop() {
    if (proxy != null) {
      proxy.close();
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"READ COMMITTED", "REPEATABLE READ", "SERIALIZABLE"})
  void concurrentWritersNeverLeaveAStreamTableThatDiffersFromItsQuery(
      String isolation, TestDatabase db) throws Exception {
    AtomicInteger retries = new AtomicInteger();
    AtomicInteger committed = new AtomicInteger();
    AtomicInteger observed = new AtomicInteger();
    AtomicBoolean writing = new AtomicBoolean(true);
    ExecutorService pool = Executors.newFixedThreadPool(WRITERS + 2);
    try {
      List<Future<?>> writers = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        SplittableRandom r = new SplittableRandom(SEED + 10 + w);
        String mode = MODES.get(w);
        boolean autocommit = w >= WRITERS / 2;
        writers.add(
            pool.submit(
                () -> {
                  write(db, isolation, mode, autocommit, r, committed, retries);
                  return null;
                }));
      }
      // Manual refreshes through the proxy meanwhile: they must not apply what a writer applies.
      Future<?> refresher =
          pool.submit(
              () -> {
                try (Connection c = proxy.connect(MirroredClient.HANG_GUARD);
                    Statement st = c.createStatement()) {
                  while (writing.get()) {
                    for (String name : TABLES.keySet()) {
                      st.execute("SELECT pgtrickle.refresh_stream_table('" + name + "')");
                    }
                  }
                }
                return null;
              });
      // Every committed state has the stream tables equal to their queries: each write commits
      // with its maintenance.
      Future<?> observer =
          pool.submit(
              () -> {
                try (Connection c = db.connect()) {
                  while (writing.get()) {
                    assertAllMatch(c, isolation + ", seen by another connection while writing");
                    observed.incrementAndGet();
                  }
                }
                return null;
              });
      try {
        awaitAll(writers);
      } finally {
        writing.set(false);
      }
      awaitAll(List.of(refresher, observer));
    } finally {
      pool.shutdownNow();
    }
    assertThat(committed.get()).isEqualTo(WRITERS * TRANSACTIONS_PER_WRITER);
    assertThat(observed.get()).as("checks made while writing").isPositive();
    try (Connection c = db.connect()) {
      assertAllMatch(c, isolation + " after concurrent writers (" + retries + " retries)");
    }
  }

  /**
   * One writer: transactions of one to three random writes, retried as applications retry
   * serialization failures and deadlocks (and a concurrent MERGE's duplicate key, which MERGE does
   * not avoid).
   */
  private static void write(
      TestDatabase db,
      String isolation,
      String mode,
      boolean autocommit,
      SplittableRandom r,
      AtomicInteger committed,
      AtomicInteger retries)
      throws SQLException {
    try (Connection c = proxy.connect(MirroredClient.guarded(mode));
        Statement st = c.createStatement()) {
      st.execute("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL " + isolation);
      c.setAutoCommit(autocommit);
      for (int tx = 0; tx < TRANSACTIONS_PER_WRITER; tx++) {
        List<String> writes = RandomQueries.writes(r, 1 + r.nextInt(3));
        int done = 0;
        while (true) {
          try {
            // In autocommit each statement is its own transaction: a retry resumes after the
            // statements already committed.
            for (; done < writes.size(); done++) {
              st.execute(writes.get(done));
              if (autocommit) {
                assertThat(MirroredClient.status(c))
                    .as("after an autocommit write")
                    .isEqualTo(TransactionState.IDLE);
              }
            }
            if (!autocommit) {
              c.commit();
            }
            committed.incrementAndGet();
            break;
          } catch (SQLException e) {
            if (!autocommit) {
              c.rollback();
              done = 0;
            }
            assertThat(e.getSQLState())
                .as("seed %d, %s, %s: %s", SEED, isolation, mode, e.getMessage())
                .isIn("40001", "40P01", "23505");
            retries.incrementAndGet();
          }
        }
      }
    }
  }

  /** Two writers, each of its own source of one join, in transactions: neither waits forever. */
  @Test
  void writersOfDifferentSourcesNeverDeadlock(TestDatabase db) throws Exception {
    String query =
        "SELECT a.k, sum(a.v * b.w) AS total, count(*) AS n FROM pairs_a a JOIN pairs_b b"
            + " ON b.k = a.k GROUP BY a.k";
    db.execute("CREATE TABLE pairs_a (id int PRIMARY KEY, k int, v int)");
    db.execute("CREATE TABLE pairs_b (id int PRIMARY KEY, k int, w int)");
    try (Connection c = proxy.connect(MirroredClient.HANG_GUARD);
        Statement st = c.createStatement()) {
      st.execute(
          "SELECT pgtrickle.create_stream_table('imm_pairs', $$"
              + query
              + "$$, refresh_mode => 'IMMEDIATE')");
    }
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<?>> writers = new ArrayList<>();
      for (String table : List.of("pairs_a", "pairs_b")) {
        writers.add(
            pool.submit(
                () -> {
                  try (Connection c =
                          proxy.connect(
                              MirroredClient.guarded(
                                  table.endsWith("a") ? "" : "preferQueryMode=simple"));
                      Statement st = c.createStatement()) {
                    c.setAutoCommit(false);
                    for (int tx = 0; tx < 40; tx++) {
                      for (int i = 0; i < 3; i++) {
                        int id = tx * 3 + i;
                        st.execute(
                            "INSERT INTO %s VALUES (%d, %d, %d)".formatted(table, id, id % 5, id));
                      }
                      st.execute(
                          "UPDATE %s SET k = (k + 1) %% 5 WHERE id %% 7 = %d"
                              .formatted(table, tx % 7));
                      // Any error here (a deadlock included) fails the test.
                      c.commit();
                    }
                  }
                  return null;
                }));
      }
      awaitAll(writers);
    } finally {
      pool.shutdownNow();
    }
    try (Connection c = db.connect()) {
      StreamTableOracle.assertMatchesQuery(c, "imm_pairs", query);
    }
  }

  /**
   * Writes straight to PostgreSQL, a cascade from a table that is no source, and a write inside a
   * function called from a SELECT all bypass the interception; the next maintenance through the
   * proxy, or a manual refresh, applies them with nothing lost.
   */
  @Test
  void writesThatBypassTheProxyAreAppliedByTheNextMaintenanceOrRefresh(TestDatabase db)
      throws Exception {
    String query =
        "SELECT p.kind, count(*) AS n, sum(c.qty) AS qty FROM bp_child c"
            + " JOIN bp_parent p ON p.id = c.parent_id GROUP BY p.kind";
    db.execute("CREATE TABLE bp_owner (id int PRIMARY KEY)");
    db.execute("CREATE TABLE bp_parent (id int PRIMARY KEY, kind text)");
    db.execute(
        "CREATE TABLE bp_child (id int PRIMARY KEY, parent_id int REFERENCES bp_parent,"
            + " owner_id int REFERENCES bp_owner ON DELETE CASCADE, qty int)");
    db.execute("INSERT INTO bp_owner VALUES (1), (2)");
    db.execute("INSERT INTO bp_parent VALUES (1, 'a'), (2, 'b'), (3, 'a')");
    db.execute("INSERT INTO bp_child VALUES (1, 1, 1, 10), (2, 2, 1, 20), (3, 3, 1, 30)");
    db.execute(
        "CREATE FUNCTION bp_add(i int, q int) RETURNS int LANGUAGE sql AS"
            + " $$INSERT INTO bp_child VALUES (i, 1, 1, q) RETURNING id$$");
    try (Connection c = proxy.connect(MirroredClient.HANG_GUARD);
        Statement st = c.createStatement();
        Connection direct = db.connect();
        Statement ds = direct.createStatement()) {
      st.execute(
          "SELECT pgtrickle.create_stream_table('imm_bp', $$"
              + query
              + "$$, refresh_mode => 'IMMEDIATE')");

      // A write straight to PostgreSQL, then one through the proxy to the same source.
      ds.execute("INSERT INTO bp_child VALUES (10, 2, 2, 5)");
      st.execute("INSERT INTO bp_child VALUES (11, 3, 1, 6)");
      StreamTableOracle.assertMatchesQuery(direct, "imm_bp", query);

      // One to the other source: its maintenance applies the first source's pending change too.
      ds.execute("UPDATE bp_child SET qty = qty + 100 WHERE id = 1");
      st.execute("UPDATE bp_parent SET kind = 'c' WHERE id = 3");
      StreamTableOracle.assertMatchesQuery(direct, "imm_bp", query);

      // Inside a transaction through the proxy, the bypassing write is read with the client's own.
      ds.execute("DELETE FROM bp_child WHERE id = 1");
      c.setAutoCommit(false);
      st.execute("INSERT INTO bp_child VALUES (12, 1, 1, 7)");
      StreamTableOracle.assertMatchesQuery(c, "imm_bp", query);
      c.commit();
      c.setAutoCommit(true);
      StreamTableOracle.assertMatchesQuery(direct, "imm_bp", query);

      // Through the proxy but unseen by it: a cascade from a table that is no source, and a write
      // in a function called from a SELECT. The next intercepted write applies both.
      st.execute("DELETE FROM bp_owner WHERE id = 2");
      st.execute("SELECT bp_add(13, 8)");
      st.execute("UPDATE bp_child SET qty = qty + 1 WHERE id = 3");
      StreamTableOracle.assertMatchesQuery(direct, "imm_bp", query);
      assertThat(Sql.scalar(direct, "SELECT n FROM imm_bp WHERE kind = 'b'")).isEqualTo(1);

      // A manual refresh through the proxy applies whatever is pending.
      ds.execute("DELETE FROM bp_child WHERE parent_id = 2");
      ds.execute("INSERT INTO bp_child VALUES (14, 3, 1, 9)");
      st.execute("SELECT pgtrickle.refresh_stream_table('imm_bp')");
      StreamTableOracle.assertMatchesQuery(direct, "imm_bp", query);
      assertThat(Sql.scalar(direct, "SELECT count(*) FROM imm_bp WHERE kind = 'b'")).isZero();
    }
  }

  /**
   * Waits for every task, rethrowing its failure; the timeout is a hang guard, not a speed check.
   */
  private static void awaitAll(List<Future<?>> tasks) throws Exception {
    for (Future<?> f : tasks) {
      f.get(5, TimeUnit.MINUTES);
    }
  }

  private static void assertAllMatch(Connection c, String when) throws SQLException {
    for (Map.Entry<String, String> e : TABLES.entrySet()) {
      try {
        StreamTableOracle.assertMatchesQuery(c, e.getKey(), e.getValue());
      } catch (AssertionError failure) {
        throw new AssertionError(
            "seed " + SEED + ", " + when + ": " + e.getKey() + " = " + e.getValue(), failure);
      }
    }
  }
}
