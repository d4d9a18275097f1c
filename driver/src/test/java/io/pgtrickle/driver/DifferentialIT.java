package io.pgtrickle.driver;

import static io.pgtrickle.driver.FullModeIT.connect;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.testing.PgTest;
import io.pgtrickle.testing.RandomQueries;
import io.pgtrickle.testing.Sql;
import io.pgtrickle.testing.StreamTableOracle;
import io.pgtrickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * DIFFERENTIAL stream tables against the oracle: after every refresh the stream table equals a
 * fresh run of its query, and the refresh really was incremental.
 *
 * <p>Replay a failure with {@code -Dpgtrickle.seed=N}; make the random run longer with {@code
 * -Dpgtrickle.random.queries=N}.
 */
@PgTest
class DifferentialIT {
  private static final long SEED = Long.getLong("pgtrickle.seed", System.nanoTime());
  private static final int QUERIES = Integer.getInteger("pgtrickle.random.queries", 200);
  private static final int BATCH = 12;
  private static final int CYCLES = 6;

  @BeforeAll
  static void schema(TestDatabase db) throws SQLException {
    for (String ddl : RandomQueries.SCHEMA) {
      db.execute(ddl);
    }
    try (Connection c = connect(db);
        Statement st = c.createStatement()) {
      for (String dml : RandomQueries.dml(new SplittableRandom(SEED), 80)) {
        st.execute(dml);
      }
    }
  }

  /**
   * Random queries, random writes (updates of join and group keys, deletes of everything,
   * TRUNCATE): DIFFERENTIAL ≡ FULL ≡ the query after every cycle.
   */
  @Test
  void randomQueriesStayEqualToTheirQuery(TestDatabase db) throws SQLException {
    SplittableRandom random = new SplittableRandom(SEED);
    RandomQueries generator = new RandomQueries(random);
    int made = 0;
    int refreshes = 0;
    int differential = 0;
    try (Connection c = connect(db);
        Statement st = c.createStatement()) {
      while (made < QUERIES) {
        List<String> queries = new ArrayList<>();
        for (int i = 0; i < BATCH && made < QUERIES; i++, made++) {
          String q = generator.next();
          queries.add(q);
          st.execute(create("d" + i, q, "DIFFERENTIAL"));
          st.execute(create("f" + i, q, "FULL"));
        }
        for (int cycle = 0; cycle < CYCLES; cycle++) {
          boolean truncated = false;
          for (String dml : RandomQueries.dml(random, 1 + random.nextInt(12))) {
            st.execute(dml);
          }
          if (random.nextInt(25) == 0) {
            st.execute("TRUNCATE r3");
            truncated = true;
          }
          for (int i = 0; i < queries.size(); i++) {
            String when = "seed " + SEED + ", cycle " + cycle + ", query: " + queries.get(i);
            st.execute("SELECT pgtrickle.refresh_stream_table('d" + i + "')");
            st.execute("SELECT pgtrickle.refresh_stream_table('f" + i + "')");
            String action = lastAction(c, "d" + i);
            assertThat(action)
                .as("refresh action, %s", when)
                .isIn(
                    truncated
                        ? List.of("DIFFERENTIAL", "NO_DATA", "FULL")
                        : List.of("DIFFERENTIAL", "NO_DATA"));
            refreshes++;
            differential += action.equals("DIFFERENTIAL") ? 1 : 0;
            check(c, "d" + i, queries.get(i), when);
            check(c, "f" + i, queries.get(i), when);
          }
        }
        for (int i = 0; i < queries.size(); i++) {
          st.execute("SELECT pgtrickle.drop_stream_table('d" + i + "')");
          st.execute("SELECT pgtrickle.drop_stream_table('f" + i + "')");
        }
      }
    }
    // Most cycles change what most queries read: a run of NO_DATA would prove nothing.
    assertThat(differential)
        .as("differential refreshes of %s (seed %s)", refreshes, SEED)
        .isGreaterThan(refreshes / 3);
  }

  /**
   * A writer that started before a refresh and commits after it is applied by the next refresh:
   * never skipped, never applied twice.
   */
  @Test
  void lateCommittingWriterIsNeitherSkippedNorAppliedTwice(TestDatabase db) throws SQLException {
    db.execute("CREATE TABLE late (id int PRIMARY KEY, grp int, v int)");
    String query = "SELECT grp, count(*) AS n, sum(v) AS s FROM late GROUP BY grp";
    try (Connection c = connect(db);
        Connection writer = db.connect();
        Statement st = c.createStatement();
        Statement w = writer.createStatement()) {
      st.execute("INSERT INTO late VALUES (1, 1, 10)");
      st.execute(create("late_st", query, "DIFFERENTIAL"));
      writer.setAutoCommit(false);
      w.execute("INSERT INTO late VALUES (2, 1, 20)"); // open, not committed
      st.execute("INSERT INTO late VALUES (3, 2, 30)"); // committed later than the open one began
      st.execute("SELECT pgtrickle.refresh_stream_table('late_st')");
      StreamTableOracle.assertMatchesQuery(c, "late_st", query);
      writer.commit();
      st.execute("SELECT pgtrickle.refresh_stream_table('late_st')");
      assertThat(lastAction(c, "late_st")).isEqualTo("DIFFERENTIAL");
      StreamTableOracle.assertMatchesQuery(c, "late_st", query);
      st.execute("SELECT pgtrickle.refresh_stream_table('late_st')");
      assertThat(lastAction(c, "late_st")).isEqualTo("NO_DATA");
      StreamTableOracle.assertMatchesQuery(c, "late_st", query);
    }
  }

  /** Changes a transaction makes after refreshing, before committing, are consumed later. */
  @Test
  void writesAfterARefreshInTheSameTransactionAreNotLost(TestDatabase db) throws SQLException {
    db.execute("CREATE TABLE same_tx (id int PRIMARY KEY, v int)");
    db.execute("CREATE TABLE same_tx_elsewhere (x int)");
    String query = "SELECT id, v FROM same_tx WHERE v > 0";
    try (Connection c = connect(db);
        Statement st = c.createStatement()) {
      st.execute(create("same_tx_st", query, "DIFFERENTIAL"));
      c.setAutoCommit(false);
      st.execute("INSERT INTO same_tx VALUES (1, 1)");
      // A younger transaction that commits first puts this one below the refresh snapshot's
      // xmax, where a snapshot leaves its own transaction out of the running ones: the case in
      // which the later writes used to count as consumed and were lost.
      db.execute("INSERT INTO same_tx_elsewhere VALUES (1)");
      st.execute("SELECT pgtrickle.refresh_stream_table('same_tx_st')");
      StreamTableOracle.assertMatchesQuery(c, "same_tx_st", query);
      st.execute("INSERT INTO same_tx VALUES (2, 2)");
      db.execute("INSERT INTO same_tx_elsewhere VALUES (2)");
      st.execute("SELECT pgtrickle.refresh_stream_table('same_tx_st')");
      StreamTableOracle.assertMatchesQuery(c, "same_tx_st", query);
      st.execute("INSERT INTO same_tx VALUES (3, 3)");
      st.execute("UPDATE same_tx SET v = 5 WHERE id = 1");
      c.commit();
      c.setAutoCommit(true);
      st.execute("SELECT pgtrickle.refresh_stream_table('same_tx_st')");
      assertThat(lastAction(c, "same_tx_st")).isEqualTo("DIFFERENTIAL");
      StreamTableOracle.assertMatchesQuery(c, "same_tx_st", query);
    }
  }

  @Test
  void truncateOfASourceIsAnsweredByAFullRecomputation(TestDatabase db) throws SQLException {
    db.execute("CREATE TABLE trunc_src (id int, v int)");
    db.execute("INSERT INTO trunc_src SELECT g, g FROM generate_series(1, 10) g");
    String query = "SELECT v % 3 AS k, count(*) AS n FROM trunc_src GROUP BY 1";
    try (Connection c = connect(db);
        Statement st = c.createStatement()) {
      st.execute(create("trunc_st", query, "DIFFERENTIAL"));
      st.execute("TRUNCATE trunc_src");
      st.execute("INSERT INTO trunc_src VALUES (1, 1)");
      st.execute("SELECT pgtrickle.refresh_stream_table('trunc_st')");
      StreamTableOracle.assertMatchesQuery(c, "trunc_st", query);
      assertThat(lastAction(c, "trunc_st")).isEqualTo("FULL");
      assertThat(lastReason(c, "trunc_st")).contains("truncated");
      st.execute("INSERT INTO trunc_src VALUES (2, 2)");
      st.execute("SELECT pgtrickle.refresh_stream_table('trunc_st')");
      assertThat(lastAction(c, "trunc_st")).isEqualTo("DIFFERENTIAL");
      StreamTableOracle.assertMatchesQuery(c, "trunc_st", query);
    }
  }

  /** Buffers are pruned once consumed, shared between consumers, and removed with the last. */
  @Test
  void buffersArePrunedSharedAndRemoved(TestDatabase db) throws SQLException {
    db.execute("CREATE TABLE shared_src (id int PRIMARY KEY, v int)");
    try (Connection c = connect(db);
        Statement st = c.createStatement()) {
      st.execute(create("shared_a", "SELECT id, v FROM shared_src", "DIFFERENTIAL"));
      st.execute(
          create("shared_b", "SELECT v, count(*) AS n FROM shared_src GROUP BY v", "DIFFERENTIAL"));
      String buffer =
          "pgtrickle_changes.changes_" + Sql.string(c, "SELECT 'shared_src'::regclass::oid");
      st.execute("INSERT INTO shared_src SELECT g, g % 4 FROM generate_series(1, 50) g");
      assertThat(StreamTableOracle.count(c, buffer)).isEqualTo(50);
      st.execute("SELECT pgtrickle.refresh_stream_table('shared_a')");
      assertThat(StreamTableOracle.count(c, buffer)).as("b has not consumed yet").isEqualTo(50);
      st.execute("SELECT pgtrickle.refresh_stream_table('shared_b')");
      assertThat(StreamTableOracle.count(c, buffer)).isZero();
      st.execute("UPDATE shared_src SET v = v + 1 WHERE id <= 10");
      assertThat(StreamTableOracle.count(c, buffer)).isEqualTo(20); // 10 deletes + 10 inserts
      st.execute("SELECT pgtrickle.drop_stream_table('shared_a')");
      assertThat(Sql.string(c, "SELECT to_regclass('" + buffer + "') IS NOT NULL")).isEqualTo("t");
      st.execute("SELECT pgtrickle.drop_stream_table('shared_b')");
      assertThat(Sql.string(c, "SELECT to_regclass('" + buffer + "') IS NULL")).isEqualTo("t");
      assertThat(
              Sql.scalar(
                  c,
                  "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'shared_src'::regclass"
                      + " AND tgname LIKE 'pgt_capture%'"))
          .isZero();
    }
  }

  @Test
  void streamTableOverStreamTable(TestDatabase db) throws SQLException {
    db.execute("CREATE TABLE events (id int PRIMARY KEY, user_id int, kind text, amount int)");
    db.execute(
        "INSERT INTO events SELECT g, g % 5, CASE WHEN g % 3 = 0 THEN 'refund' ELSE 'purchase'"
            + " END, g FROM generate_series(1, 40) g");
    String silver = "SELECT id, user_id, kind, amount FROM events WHERE kind = 'purchase'";
    String gold =
        "SELECT user_id, count(*) AS n, sum(amount) AS total, avg(amount) AS avg_amount"
            + " FROM silver_st GROUP BY user_id";
    try (Connection c = connect(db);
        Statement st = c.createStatement()) {
      st.execute(create("silver_st", silver, "DIFFERENTIAL"));
      st.execute(create("gold_st", gold, "DIFFERENTIAL"));
      SplittableRandom r = new SplittableRandom(SEED);
      for (int round = 0; round < 5; round++) {
        st.execute(
            "UPDATE events SET kind = CASE WHEN kind = 'refund' THEN 'purchase' ELSE 'refund' END"
                + " WHERE id % 7 = "
                + r.nextInt(7));
        st.execute("DELETE FROM events WHERE id % 11 = " + r.nextInt(11));
        st.execute("INSERT INTO events VALUES (" + (100 + round) + ", 1, 'purchase', 5)");
        st.execute("SELECT pgtrickle.refresh_stream_table('silver_st')");
        st.execute("SELECT pgtrickle.refresh_stream_table('gold_st')");
        StreamTableOracle.assertMatchesQuery(c, "silver_st", silver);
        StreamTableOracle.assertMatchesQuery(c, "gold_st", gold);
        assertThat(lastAction(c, "gold_st")).isIn("DIFFERENTIAL", "NO_DATA");
      }
    }
  }

  /**
   * Group keys of one and of two columns, any part of which may be NULL, maintained from running
   * totals (COUNT/SUM/AVG) and by keyed recomputation (MIN/MAX, DISTINCT): a key without a NULL
   * part is looked up through the key index, a key with one by the NULL-safe match, and groups move
   * between the two as their keys are updated to and from NULL.
   */
  @Test
  void groupKeysOfSeveralColumnsWithNullsAreMaintained(TestDatabase db) throws SQLException {
    db.execute("CREATE TABLE multi_key (id int PRIMARY KEY, a int, b text, v int)");
    db.execute(
        "INSERT INTO multi_key SELECT g, CASE WHEN g % 5 = 0 THEN NULL ELSE g % 4 END,"
            + " CASE WHEN g % 7 = 0 THEN NULL ELSE 'b' || (g % 3) END, g FROM generate_series(1, 300) g");
    List<String> queries =
        List.of(
            "SELECT a, b, count(*) AS n, sum(v) AS s, avg(v) AS m FROM multi_key GROUP BY a, b",
            "SELECT b, a, count(*) AS n, min(v) AS lo, max(v) AS hi FROM multi_key GROUP BY a, b",
            "SELECT DISTINCT a, b FROM multi_key WHERE v % 2 = 0",
            "SELECT a, count(*) AS n, sum(v) AS s FROM multi_key GROUP BY a",
            "SELECT b, count(v) AS n, max(v) AS hi FROM multi_key GROUP BY b");
    try (Connection c = connect(db);
        Statement st = c.createStatement()) {
      for (int i = 0; i < queries.size(); i++) {
        st.execute(create("multi_key_" + i, queries.get(i), "DIFFERENTIAL"));
      }
      SplittableRandom r = new SplittableRandom(SEED);
      for (int round = 0; round < 8; round++) {
        int m = 2 + r.nextInt(5);
        st.execute(
            "UPDATE multi_key SET a = CASE WHEN a IS NULL THEN id % 3 WHEN id % 2 = 0 THEN NULL"
                + " ELSE a + 1 END WHERE id % "
                + m
                + " = "
                + r.nextInt(m));
        st.execute(
            "UPDATE multi_key SET b = CASE WHEN b IS NULL THEN 'b9' ELSE NULL END WHERE id % 11 = "
                + r.nextInt(11));
        st.execute("UPDATE multi_key SET v = v + 1 WHERE id % 13 = " + r.nextInt(13));
        st.execute("DELETE FROM multi_key WHERE id % 17 = " + r.nextInt(17));
        st.execute(
            "INSERT INTO multi_key SELECT 1000 * ("
                + round
                + " + 1) + g, CASE WHEN g % 3 = 0 THEN NULL ELSE g END,"
                + " CASE WHEN g % 2 = 0 THEN NULL ELSE 'n' || g END, g FROM generate_series(1, 6) g");
        for (int i = 0; i < queries.size(); i++) {
          String name = "multi_key_" + i;
          st.execute("SELECT pgtrickle.refresh_stream_table('" + name + "')");
          assertThat(lastAction(c, name)).isIn("DIFFERENTIAL", "NO_DATA");
          check(c, name, queries.get(i), "seed " + SEED + ", round " + round);
        }
      }
    }
  }

  private static String create(String name, String query, String mode) {
    return "SELECT pgtrickle.create_stream_table('"
        + name
        + "', $q$"
        + query
        + "$q$, refresh_mode => '"
        + mode
        + "')";
  }

  /**
   * A stream table's columns may have any name, including the ones the engine's own SQL uses as
   * aliases: a column named {@code s} must not capture a whole-row reference to the table.
   */
  @Test
  void columnsNamedLikeTheRefreshsAliasesAreMaintained(TestDatabase db) throws SQLException {
    db.execute("CREATE TABLE named (id int PRIMARY KEY, s text, t int, k int)");
    db.execute("INSERT INTO named VALUES (1, 'a', 1, 1), (2, 'b', 2, 2)");
    String query = "SELECT id, s, t, k FROM named";
    try (Connection c = connect(db);
        Statement st = c.createStatement()) {
      st.execute(create("named_st", query, "DIFFERENTIAL"));
      for (String dml :
          List.of(
              "UPDATE named SET s = 'z' WHERE id = 1",
              "UPDATE named SET t = 9",
              "DELETE FROM named WHERE id = 2",
              "INSERT INTO named VALUES (3, 'c', 3, 3)")) {
        st.execute(dml);
        st.execute("SELECT pgtrickle.refresh_stream_table('named_st')");
        check(c, "named_st", query, "after " + dml);
      }
    }
  }

  private static void check(Connection c, String name, String query, String when) {
    try {
      StreamTableOracle.assertMatchesQuery(c, name, query);
    } catch (AssertionError | SQLException e) {
      throw new AssertionError(
          name + " differs from its query (" + when + "): " + e.getMessage(), e);
    }
  }

  static String lastAction(Connection c, String name) throws SQLException {
    return lastHistory(c, name, "action");
  }

  private static String lastReason(Connection c, String name) throws SQLException {
    return lastHistory(c, name, "reason");
  }

  private static String lastHistory(Connection c, String name, String column) throws SQLException {
    return Sql.string(
        c,
        "SELECT h."
            + column
            + " FROM pgtrickle.pgt_refresh_history h"
            + " JOIN pgtrickle.pgt_stream_tables s USING (pgt_id) WHERE s.pgt_name = '"
            + name
            + "' ORDER BY h.refresh_id DESC LIMIT 1");
  }
}
