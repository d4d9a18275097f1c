package io.pgtrickle.driver;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.testing.PgTest;
import io.pgtrickle.testing.RandomQueries;
import io.pgtrickle.testing.Sql;
import io.pgtrickle.testing.StreamTableOracle;
import io.pgtrickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Savepoint;
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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * IMMEDIATE stream tables through the JDBC driver: after every statement, inside transactions and
 * in autocommit, each stream table equals a fresh run of its query on the same connection; rollback
 * and ROLLBACK TO SAVEPOINT undo the maintenance with the writes; concurrent writers leave correct
 * tables; writes that bypass the driver are applied by the next maintenance or refresh.
 *
 * <p>Seeded: {@code -Dpgtrickle.seed=N} replays a failure, whose message prints the seed.
 */
@PgTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ImmediateIT {
  private static final long SEED = Long.getLong("pgtrickle.seed", System.nanoTime());
  private static final int QUERIES = Integer.getInteger("pgtrickle.immediate.queries", 12);

  /** Stream table name to defining query. */
  private static final Map<String, String> TABLES = new LinkedHashMap<>();

  @BeforeAll
  static void setUp(TestDatabase db) throws SQLException {
    try (Connection c = connect(db);
        Statement st = c.createStatement()) {
      for (String ddl : RandomQueries.SCHEMA) {
        st.execute(ddl);
      }
      for (String dml : RandomQueries.dml(new SplittableRandom(SEED), 60)) {
        st.execute(dml);
      }
      RandomQueries queries = new RandomQueries(new SplittableRandom(SEED));
      int made = 0;
      for (int attempt = 0; made < QUERIES && attempt < QUERIES * 5; attempt++) {
        String q = queries.next();
        String name = "imm_" + made;
        try {
          st.execute(
              "SELECT pgtrickle.create_stream_table('"
                  + name
                  + "', $$"
                  + q
                  + "$$, refresh_mode => 'IMMEDIATE')");
          TABLES.put(name, q);
          made++;
        } catch (SQLException e) {
          // A query the incremental engine refuses (0A000) is not IMMEDIATE's business.
          assertThat(e.getSQLState())
              .as("seed %d, %s: %s", SEED, q, e.getMessage())
              .isEqualTo("0A000");
        }
      }
      // A stream table over an IMMEDIATE stream table, maintained in the same transaction.
      st.execute(
          "SELECT pgtrickle.create_stream_table('imm_g', $$SELECT g, sum(v) AS sv, count(*) AS n"
              + " FROM r1 GROUP BY g$$, refresh_mode => 'IMMEDIATE')");
      TABLES.put("imm_g", "SELECT g, sum(v) AS sv, count(*) AS n FROM r1 GROUP BY g");
      st.execute(
          "SELECT pgtrickle.create_stream_table('imm_g2', $$SELECT n, count(*) AS groups FROM"
              + " imm_g GROUP BY n$$, refresh_mode => 'IMMEDIATE')");
      TABLES.put("imm_g2", "SELECT n, count(*) AS groups FROM imm_g GROUP BY n");
    }
    assertThat(TABLES).as("seed %d", SEED).hasSizeGreaterThan(QUERIES / 2);
  }

  @Test
  @Order(1)
  void everyStatementIsVisibleAtOnceInAutocommit(TestDatabase db) throws SQLException {
    SplittableRandom r = new SplittableRandom(SEED + 1);
    try (Connection c = connect(db);
        Statement st = c.createStatement()) {
      for (String dml : RandomQueries.writes(r, 40)) {
        st.execute(dml);
        assertAllMatch(c, "autocommit after " + dml);
      }
    }
  }

  @Test
  @Order(2)
  void transactionsReadTheirWritesAndRollbacksUndoMaintenance(TestDatabase db) throws SQLException {
    SplittableRandom r = new SplittableRandom(SEED + 2);
    try (Connection c = connect(db);
        Statement st = c.createStatement()) {
      for (int tx = 0; tx < 12; tx++) {
        c.setAutoCommit(false);
        Savepoint sp = null;
        for (String dml : RandomQueries.writes(r, 1 + r.nextInt(6))) {
          if (sp == null && r.nextInt(3) == 0) {
            sp = c.setSavepoint();
          }
          st.execute(dml);
          assertAllMatch(c, "in transaction " + tx + " after " + dml);
          if (sp != null && r.nextInt(4) == 0) {
            c.rollback(sp);
            sp = null;
            assertAllMatch(c, "after ROLLBACK TO SAVEPOINT in transaction " + tx);
          }
        }
        if (r.nextBoolean()) {
          c.commit();
        } else {
          c.rollback();
        }
        c.setAutoCommit(true);
        assertAllMatch(c, "after transaction " + tx);
      }
      // The same through SQL transaction control instead of JDBC's.
      st.execute("BEGIN");
      for (String dml : RandomQueries.writes(r, 4)) {
        st.execute(dml);
      }
      st.execute("SAVEPOINT s1");
      st.execute(RandomQueries.writes(r, 1).get(0));
      st.execute("ROLLBACK TO SAVEPOINT s1");
      assertAllMatch(c, "after SQL ROLLBACK TO SAVEPOINT");
      st.execute("COMMIT");
      assertAllMatch(c, "after SQL COMMIT");
    }
  }

  @Test
  @Order(3)
  void batchesAndPreparedStatementsAreMaintained(TestDatabase db) throws SQLException {
    try (Connection c = connect(db);
        Statement st = c.createStatement();
        PreparedStatement insert =
            c.prepareStatement(
                "INSERT INTO r1 VALUES (?, ?, ?, 'p', 1.5)"
                    + " ON CONFLICT (id) DO UPDATE SET v = EXCLUDED.v")) {
      for (int i = 0; i < 50; i++) {
        insert.setInt(1, 200 + i);
        insert.setInt(2, i % 4);
        insert.setInt(3, i);
        insert.addBatch();
      }
      insert.executeBatch();
      assertAllMatch(c, "after a prepared batch");
      st.addBatch("UPDATE r1 SET v = v + 1 WHERE id >= 200");
      st.addBatch("DELETE FROM r1 WHERE id >= 240");
      st.addBatch("INSERT INTO r3 VALUES (1, 1), (2, 2)");
      st.executeBatch();
      assertAllMatch(c, "after a statement batch");
      // Several statements in one string.
      st.execute("DELETE FROM r1 WHERE id >= 230; UPDATE r3 SET x = x + 1 WHERE k = 1");
      assertAllMatch(c, "after a multi-statement string");
    }
  }

  @Test
  @Order(4)
  void concurrentWritersLeaveCorrectTables(TestDatabase db) throws Exception {
    for (String isolation : List.of("READ COMMITTED", "REPEATABLE READ", "SERIALIZABLE")) {
      AtomicInteger retries = new AtomicInteger();
      AtomicInteger committed = new AtomicInteger();
      // Four writers and a refresher.
      ExecutorService pool = Executors.newFixedThreadPool(5);
      List<Future<?>> workers = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        SplittableRandom r = new SplittableRandom(SEED + 10 + w);
        workers.add(
            pool.submit(
                () -> {
                  try (Connection c = connect(db);
                      Statement st = c.createStatement()) {
                    c.setAutoCommit(false);
                    st.execute(
                        "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL " + isolation);
                    c.commit();
                    for (int tx = 0; tx < 15; tx++) {
                      List<String> txWrites = RandomQueries.writes(r, 1 + r.nextInt(3));
                      while (true) {
                        try {
                          for (String dml : txWrites) {
                            st.execute(dml);
                          }
                          c.commit();
                          committed.incrementAndGet();
                          break;
                        } catch (SQLException e) {
                          c.rollback();
                          // Serialization failures and deadlocks are retried, as applications do;
                          // so is a concurrent MERGE's duplicate key, which MERGE does not avoid.
                          assertThat(e.getSQLState())
                              .as("seed %d, %s: %s", SEED, isolation, e.getMessage())
                              .isIn("40001", "40P01", "23505");
                          retries.incrementAndGet();
                        }
                      }
                    }
                  }
                  return null;
                }));
      }
      // Manual refreshes meanwhile, which must not apply anything a writer applies too.
      AtomicBoolean writing = new AtomicBoolean(true);
      Future<?> refresher =
          pool.submit(
              () -> {
                try (Connection c = connect(db);
                    Statement st = c.createStatement()) {
                  while (writing.get()) {
                    for (String name : TABLES.keySet()) {
                      st.execute("SELECT pgtrickle.refresh_stream_table('" + name + "')");
                    }
                  }
                }
                return null;
              });
      awaitAll(workers);
      writing.set(false);
      awaitAll(List.of(refresher));
      pool.shutdown();
      assertThat(committed.get()).isEqualTo(60);
      try (Connection c = connect(db)) {
        assertAllMatch(c, isolation + " after concurrent writers (" + retries + " retries)");
      }
    }
  }

  @Test
  @Order(5)
  void writesThatBypassTheDriverAreAppliedByTheNextMaintenance(TestDatabase db)
      throws SQLException {
    try (Connection direct = db.connect();
        Statement ds = direct.createStatement();
        Connection c = connect(db);
        Statement st = c.createStatement()) {
      ds.execute("INSERT INTO r1 VALUES (900, 1, 5, 'bypass', 1.5)");
      // The next intercepted write to the same source applies both.
      st.execute("INSERT INTO r1 VALUES (901, 1, 6, 'driver', 1.5)");
      assertThat(Sql.scalar(c, "SELECT sv FROM imm_g WHERE g = 1"))
          .isEqualTo(Sql.scalar(c, "SELECT sum(v) FROM r1 WHERE g = 1"));
      ds.execute("DELETE FROM r1 WHERE id IN (900, 901)");
      for (String name : TABLES.keySet()) {
        st.execute("SELECT pgtrickle.refresh_stream_table('" + name + "')");
      }
      assertAllMatch(c, "after a manual refresh of bypassed writes");
    }
  }

  @Test
  @Order(6)
  void immediateIsRefusedForQueriesTheEngineCannotMaintain(TestDatabase db) throws SQLException {
    try (Connection c = connect(db);
        Statement st = c.createStatement()) {
      SQLException e =
          org.assertj.core.api.Assertions.catchThrowableOfType(
              SQLException.class,
              () ->
                  st.execute(
                      "SELECT pgtrickle.create_stream_table('imm_bad', $$SELECT g, v FROM r1"
                          + " ORDER BY g LIMIT 3$$, refresh_mode => 'IMMEDIATE')"));
      assertThat(e.getSQLState()).isEqualTo("0A000");
      assertThat(e.getMessage()).contains("refresh_mode IMMEDIATE");
    }
  }

  @Test
  @Order(7)
  void writersOfDifferentSourcesNeverDeadlock(TestDatabase db) throws Exception {
    try (Connection c = connect(db);
        Statement st = c.createStatement()) {
      st.execute("CREATE TABLE pairs_a (id int PRIMARY KEY, k int, v int)");
      st.execute("CREATE TABLE pairs_b (id int PRIMARY KEY, k int, w int)");
      st.execute(
          "SELECT pgtrickle.create_stream_table('imm_pairs', $$SELECT a.k, sum(a.v * b.w) AS s,"
              + " count(*) AS n FROM pairs_a a JOIN pairs_b b ON b.k = a.k GROUP BY a.k$$,"
              + " refresh_mode => 'IMMEDIATE')");
    }
    ExecutorService pool = Executors.newFixedThreadPool(2);
    List<Future<?>> writers = new ArrayList<>();
    for (String table : List.of("pairs_a", "pairs_b")) {
      writers.add(
          pool.submit(
              () -> {
                try (Connection c = connect(db);
                    Statement st = c.createStatement()) {
                  c.setAutoCommit(false);
                  for (int tx = 0; tx < 40; tx++) {
                    for (int i = 0; i < 3; i++) {
                      int id = tx * 3 + i;
                      st.execute(
                          "INSERT INTO "
                              + table
                              + " VALUES ("
                              + id
                              + ", "
                              + (id % 5)
                              + ", "
                              + id
                              + ")");
                    }
                    st.execute("UPDATE " + table + " SET k = (k + 1) % 5 WHERE id % 7 = " + tx % 7);
                    // Any error here (a deadlock included) fails the test.
                    c.commit();
                  }
                }
                return null;
              }));
    }
    awaitAll(writers);
    pool.shutdown();
    try (Connection c = connect(db)) {
      StreamTableOracle.assertMatchesQuery(
          c,
          "imm_pairs",
          "SELECT a.k, sum(a.v * b.w) AS s, count(*) AS n FROM pairs_a a JOIN pairs_b b"
              + " ON b.k = a.k GROUP BY a.k");
    }
  }

  @Test
  @Order(8)
  void aFailedMaintenanceFailsTheWriteAndChangesNothing(TestDatabase db) throws SQLException {
    try (Connection c = connect(db);
        Statement st = c.createStatement()) {
      st.execute("CREATE TABLE capped (id int PRIMARY KEY, v int)");
      st.execute("INSERT INTO capped VALUES (1, 10)");
      st.execute(
          "SELECT pgtrickle.create_stream_table('imm_capped', $$SELECT sum(v) AS total FROM"
              + " capped$$, refresh_mode => 'IMMEDIATE')");
      // A constraint on the stream table that the next write's maintenance violates.
      st.execute("ALTER TABLE imm_capped ADD CONSTRAINT total_small CHECK (total < 100)");
      SQLException e =
          org.assertj.core.api.Assertions.catchThrowableOfType(
              SQLException.class, () -> st.execute("INSERT INTO capped VALUES (2, 500)"));
      assertThat(e.getSQLState()).isEqualTo("23514");
      assertThat(e.getMessage()).contains("total_small");
      assertThat(Sql.scalar(c, "SELECT count(*) FROM capped")).isEqualTo(1);
      assertThat(Sql.scalar(c, "SELECT total FROM imm_capped")).isEqualTo(10);
      // Inside a transaction the failure surfaces at the next read or at commit.
      c.setAutoCommit(false);
      st.execute("INSERT INTO capped VALUES (3, 500)");
      assertThat(
              org.assertj.core.api.Assertions.catchThrowableOfType(SQLException.class, c::commit)
                  .getSQLState())
          .isEqualTo("23514");
      // Rolled back, as PostgreSQL rolls back a COMMIT whose deferred constraint fails.
      assertThat(c.unwrap(org.postgresql.core.BaseConnection.class).getTransactionState())
          .isEqualTo(org.postgresql.core.TransactionState.IDLE);
      assertThat(Sql.scalar(c, "SELECT count(*) FROM capped")).isEqualTo(1);
      // The same through SQL.
      st.execute("INSERT INTO capped VALUES (4, 500)");
      assertThat(
              org.assertj.core.api.Assertions.catchThrowableOfType(
                      SQLException.class, () -> st.execute("COMMIT"))
                  .getSQLState())
          .isEqualTo("23514");
      assertThat(c.unwrap(org.postgresql.core.BaseConnection.class).getTransactionState())
          .isEqualTo(org.postgresql.core.TransactionState.IDLE);
      c.rollback();
      c.setAutoCommit(true);
      assertThat(Sql.scalar(c, "SELECT count(*) FROM capped")).isEqualTo(1);
    }
  }

  /**
   * Maintenance runs with the writer's privileges: a role that may write a source but not the
   * stream table gets a permission error for its write, and nothing is committed.
   */
  @Test
  @Order(9)
  void aWriterWithoutPrivilegeOnTheStreamTableIsRefusedCleanly(TestDatabase db)
      throws SQLException {
    String role = db.createRole("imm_writer", "pw");
    try (Connection c = connect(db);
        Statement st = c.createStatement()) {
      st.execute("CREATE TABLE guarded (id int PRIMARY KEY, v int)");
      st.execute(
          "SELECT pgtrickle.create_stream_table('imm_guarded', $$SELECT sum(v) AS total FROM"
              + " guarded$$, refresh_mode => 'IMMEDIATE')");
      st.execute("GRANT INSERT, SELECT ON guarded TO " + role);
      st.execute("GRANT USAGE ON SCHEMA pgtrickle_changes TO " + role);
    }
    java.util.Properties props = db.properties();
    props.setProperty("user", role);
    props.setProperty("password", "pw");
    try (Connection w = DriverManager.getConnection(db.pgTrickleUrl(), props);
        Statement st = w.createStatement()) {
      SQLException e =
          org.assertj.core.api.Assertions.catchThrowableOfType(
              SQLException.class, () -> st.execute("INSERT INTO guarded VALUES (1, 5)"));
      assertThat(e.getSQLState()).isEqualTo("42501");
    }
    try (Connection c = connect(db)) {
      assertThat(Sql.scalar(c, "SELECT count(*) FROM guarded")).isZero();
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

  private static Connection connect(TestDatabase db) throws SQLException {
    return DriverManager.getConnection(db.pgTrickleUrl(), db.properties());
  }
}
