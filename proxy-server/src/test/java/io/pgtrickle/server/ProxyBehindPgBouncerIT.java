package io.pgtrickle.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pgtrickle.engine.catalog.CatalogMigrator;
import io.pgtrickle.engine.session.JdbcSqlSession;
import io.pgtrickle.server.protocol.LeakCheckExtension;
import io.pgtrickle.testing.PgBouncer;
import io.pgtrickle.testing.PgTest;
import io.pgtrickle.testing.Sql;
import io.pgtrickle.testing.StreamTableOracle;
import io.pgtrickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Applications behind a transaction-pooling PgBouncer that has our proxy as its server: PgBouncer
 * hands each transaction to any of its two connections to the proxy (and sends {@code DISCARD ALL}
 * after it), so the proxy must keep no state across transactions either. API calls, IMMEDIATE
 * maintenance inside writers' transactions and manual refreshes all go through both, from several
 * clients at once, in simple and extended query mode; the stream tables equal their queries.
 *
 * <p>Replay a failure with {@code -Dpgtrickle.seed=N}.
 */
@PgTest
@ExtendWith(LeakCheckExtension.class)
class ProxyBehindPgBouncerIT {
  private static final long SEED = Long.getLong("pgtrickle.seed", System.nanoTime());
  private static final String TOTALS =
      "SELECT g, sum(v) AS total, count(*) AS n FROM bp_src GROUP BY g";
  private static final String JOINED =
      "SELECT d.label, count(*) AS n, sum(s.v) AS total FROM bp_src s"
          + " JOIN bp_dim d ON d.g = s.g GROUP BY d.label";

  private static TestProxy proxy;
  private static PgBouncer bouncer;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    assumeTrue(
        PgBouncer.installed() || PgBouncer.required(), "pgbouncer is not installed: skipped");
    try (Connection c = db.connectDirect()) {
      CatalogMigrator.migrate(new JdbcSqlSession(c));
    }
    proxy = TestProxy.start(db);
    // Two server connections for four writers and a reader: transactions share them.
    bouncer = PgBouncer.inFrontOf(db, proxy.host(), proxy.port(), 2);
  }

  @AfterAll
  static void stop() {
    if (bouncer != null) {
      bouncer.close();
    }
    if (proxy != null) {
      proxy.close();
    }
  }

  @Test
  void immediateAndScheduledStreamTablesThroughPgBouncerAndTheProxy(TestDatabase db)
      throws Exception {
    try (Connection c = client(db, "extended");
        Statement st = c.createStatement()) {
      st.execute("CREATE TABLE bp_dim (g int PRIMARY KEY, label text)");
      st.execute("INSERT INTO bp_dim SELECT g, 'label ' || (g % 4) FROM generate_series(0, 9) g");
      st.execute("CREATE TABLE bp_src (id int PRIMARY KEY, g int, v int)");
      st.execute("INSERT INTO bp_src SELECT i, i % 10, i FROM generate_series(1, 200) i");
      st.execute(
          "SELECT pgtrickle.create_stream_table('bp_totals', $$"
              + TOTALS
              + "$$, refresh_mode => 'IMMEDIATE')");
      st.execute(
          "SELECT pgtrickle.create_stream_table('bp_joined', $$"
              + JOINED
              + "$$, refresh_mode => 'DIFFERENTIAL')");
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Integer>> writers = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        int writer = w;
        String mode = w % 2 == 0 ? "simple" : "extended";
        writers.add(
            pool.submit(() -> write(db, mode, writer, new SplittableRandom(SEED + writer))));
      }
      int committed = 0;
      for (Future<Integer> f : writers) {
        committed += f.get();
      }
      assertThat(committed).isPositive();
    } finally {
      pool.shutdownNow();
    }
    try (Connection c = client(db, "simple");
        Statement st = c.createStatement()) {
      StreamTableOracle.assertMatchesQuery(c, "bp_totals", TOTALS);
      st.execute("SELECT pgtrickle.refresh_stream_table('bp_joined')");
      assertThat(
              Sql.string(
                  c,
                  "SELECT h.action FROM pgtrickle.pgt_refresh_history h"
                      + " JOIN pgtrickle.pgt_stream_tables s USING (pgt_id)"
                      + " WHERE s.pgt_name = 'bp_joined' ORDER BY h.refresh_id DESC LIMIT 1"))
          .isEqualTo("DIFFERENTIAL");
      StreamTableOracle.assertMatchesQuery(c, "bp_joined", JOINED);
    }
  }

  /**
   * Twenty transactions of a few writes each, some rolled back; after each the writer's own view of
   * the IMMEDIATE stream table equals its query. Returns how many committed.
   */
  private static int write(TestDatabase db, String mode, int writer, SplittableRandom r)
      throws SQLException {
    int committed = 0;
    try (Connection c = client(db, mode);
        Statement st = c.createStatement()) {
      for (int tx = 0; tx < 20; tx++) {
        boolean block = r.nextBoolean();
        c.setAutoCommit(!block);
        for (int i = 1 + r.nextInt(3); i > 0; i--) {
          int id = 1_000 + writer * 10_000 + tx * 10 + i;
          switch (r.nextInt(3)) {
            case 0 ->
                st.execute(
                    "INSERT INTO bp_src VALUES ("
                        + id
                        + ", "
                        + r.nextInt(10)
                        + ", "
                        + r.nextInt(100)
                        + ")");
            case 1 -> st.execute("UPDATE bp_src SET v = v + 1 WHERE id = " + (1 + r.nextInt(200)));
            default ->
                st.execute(
                    "UPDATE bp_src SET g = "
                        + r.nextInt(10)
                        + " WHERE id = "
                        + (1 + r.nextInt(200)));
          }
        }
        try {
          // Read-your-writes: inside the block, the writer sees its own maintenance.
          StreamTableOracle.assertMatchesQuery(c, "bp_totals", TOTALS);
        } catch (AssertionError e) {
          throw new AssertionError(
              "writer " + writer + " (" + mode + "), tx " + tx + ", seed " + SEED + ": " + e, e);
        }
        if (block) {
          if (r.nextInt(4) == 0) {
            c.rollback();
          } else {
            c.commit();
            committed++;
          }
        } else {
          committed++;
        }
      }
      c.setAutoCommit(true);
    }
    return committed;
  }

  /** Plain pgjdbc to PgBouncer, which forwards to the proxy. */
  private static Connection client(TestDatabase db, String mode) throws SQLException {
    return DriverManager.getConnection(
        "jdbc:postgresql://"
            + bouncer.host()
            + ":"
            + bouncer.port()
            + "/"
            + db.databaseName()
            + "?prepareThreshold=0&preferQueryMode="
            + mode,
        db.properties());
  }
}
