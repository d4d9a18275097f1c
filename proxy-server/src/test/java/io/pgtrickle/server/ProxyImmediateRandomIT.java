package io.pgtrickle.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.server.protocol.LeakCheckExtension;
import io.pgtrickle.testing.PgTest;
import io.pgtrickle.testing.RandomQueries;
import io.pgtrickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The seeded random test of IMMEDIATE (as the driver's {@code ImmediateIT}) through the proxy:
 * random stream tables, random writes of every form, random commits, rollbacks and savepoints, with
 * the oracle after every statement and every reply compared with PostgreSQL's own on twin tables
 * ({@link MirroredClient}).
 *
 * <p>Seeded: {@code -Dpgtrickle.seed=N} replays a failure, whose message prints the seed.
 */
@PgTest
@ExtendWith(LeakCheckExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProxyImmediateRandomIT {
  private static final long SEED = Long.getLong("pgtrickle.seed", System.nanoTime());
  private static final int QUERIES = Integer.getInteger("pgtrickle.immediate.queries", 12);
  private static final String TWIN = "twin";

  /** pgjdbc's two protocols, and named statements from the first execution. */
  enum Mode {
    SIMPLE("preferQueryMode=simple"),
    EXTENDED(""),
    NAMED("prepareThreshold=1");

    final String urlParameters;

    Mode(String urlParameters) {
      this.urlParameters = urlParameters;
    }
  }

  /** Stream table name to defining query. */
  private static final Map<String, String> TABLES = new LinkedHashMap<>();

  private static TestProxy proxy;

  @BeforeAll
  static void setUp(TestDatabase db) throws Exception {
    proxy = TestProxy.start(db);
    try (Connection c = db.connect();
        Statement st = c.createStatement()) {
      st.execute("CREATE SCHEMA " + TWIN);
      for (String schema : List.of("public", TWIN)) {
        st.execute("SET search_path = " + schema);
        for (String ddl : RandomQueries.SCHEMA) {
          st.execute(ddl);
        }
        for (String dml : RandomQueries.dml(new SplittableRandom(SEED), 60)) {
          st.execute(dml);
        }
      }
    }
    try (Connection c = proxy.connect(MirroredClient.HANG_GUARD);
        Statement st = c.createStatement()) {
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
                  + "$$, "
                  + (made % 2 == 0 ? "refresh_mode" : "schedule")
                  + " => 'IMMEDIATE')");
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
      String g = "SELECT g, sum(v) AS sv, count(*) AS n FROM r1 GROUP BY g";
      String g2 = "SELECT n, count(*) AS groups FROM imm_g GROUP BY n";
      st.execute(
          "SELECT pgtrickle.create_stream_table('imm_g', $$"
              + g
              + "$$, refresh_mode => 'IMMEDIATE')");
      TABLES.put("imm_g", g);
      st.execute(
          "SELECT pgtrickle.create_stream_table('imm_g2', $$"
              + g2
              + "$$, refresh_mode => 'IMMEDIATE')");
      TABLES.put("imm_g2", g2);
    }
    assertThat(TABLES).as("seed %d", SEED).hasSizeGreaterThan(QUERIES / 2);
  }

  @AfterAll
  static void stop() {
    if (proxy != null) {
      proxy.close();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  @Order(1)
  void everyStatementIsVisibleAtOnceInAutocommit(Mode mode, TestDatabase db) throws Exception {
    SplittableRandom r = new SplittableRandom(SEED + 1 + 100L * mode.ordinal());
    try (MirroredClient m = open(mode, db)) {
      for (int i = 0; i < 40; i++) {
        if (r.nextInt(6) == 0) {
          // Several writes in one string: one Query message, or one pipeline before Sync.
          m.execute(String.join("; ", RandomQueries.writes(r, 2 + r.nextInt(3))));
        } else {
          m.execute(RandomQueries.writes(r, 1).get(0));
        }
      }
    } catch (AssertionError | SQLException e) {
      throw new AssertionError("seed " + SEED + " (-Dpgtrickle.seed=" + SEED + "), " + mode, e);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  @Order(2)
  void transactionsReadTheirWritesAndRollbacksUndoMaintenance(Mode mode, TestDatabase db)
      throws Exception {
    SplittableRandom r = new SplittableRandom(SEED + 2 + 100L * mode.ordinal());
    try (MirroredClient m = open(mode, db)) {
      for (int tx = 0; tx < 12; tx++) {
        if (r.nextBoolean()) {
          jdbcTransaction(m, r);
        } else {
          sqlTransaction(m, r);
        }
      }
    } catch (AssertionError | SQLException e) {
      throw new AssertionError("seed " + SEED + " (-Dpgtrickle.seed=" + SEED + "), " + mode, e);
    }
  }

  /** A transaction through JDBC's API: setAutoCommit, Savepoint objects, commit or rollback. */
  private static void jdbcTransaction(MirroredClient m, SplittableRandom r) throws SQLException {
    m.setAutoCommit(false);
    Savepoint[] sp = null;
    for (String dml : RandomQueries.writes(r, 1 + r.nextInt(6))) {
      if (sp == null && r.nextInt(3) == 0) {
        sp = m.setSavepoint();
      }
      m.execute(dml);
      if (sp != null && r.nextInt(4) == 0) {
        m.rollback(sp);
        sp = null;
      }
    }
    if (r.nextBoolean()) {
      m.commit();
    } else {
      m.rollback();
    }
    m.setAutoCommit(true);
  }

  /** A transaction in SQL: BEGIN, SAVEPOINT, ROLLBACK TO, RELEASE, COMMIT or ROLLBACK. */
  private static void sqlTransaction(MirroredClient m, SplittableRandom r) throws SQLException {
    m.execute(
        switch (r.nextInt(3)) {
          case 0 -> "BEGIN";
          case 1 -> "START TRANSACTION ISOLATION LEVEL REPEATABLE READ";
          default -> "BEGIN ISOLATION LEVEL SERIALIZABLE";
        });
    int savepoints = 0;
    for (String dml : RandomQueries.writes(r, 1 + r.nextInt(6))) {
      if (r.nextInt(3) == 0) {
        m.execute("SAVEPOINT sp" + ++savepoints);
      }
      m.execute(dml);
      if (savepoints > 0 && r.nextInt(3) == 0) {
        int to = 1 + r.nextInt(savepoints);
        boolean release = r.nextInt(4) == 0;
        m.execute((release ? "RELEASE SAVEPOINT sp" : "ROLLBACK TO SAVEPOINT sp") + to);
        // ROLLBACK TO keeps the savepoint; both destroy the later ones.
        savepoints = release ? to - 1 : to;
      }
    }
    m.execute(r.nextBoolean() ? "COMMIT" : "ROLLBACK");
  }

  private static MirroredClient open(Mode mode, TestDatabase db) throws SQLException {
    return MirroredClient.open(
        proxy,
        db,
        mode.urlParameters,
        TWIN,
        List.of("r1", "r2", "r3"),
        TABLES,
        "seed " + SEED + ", pgjdbc " + mode);
  }
}
