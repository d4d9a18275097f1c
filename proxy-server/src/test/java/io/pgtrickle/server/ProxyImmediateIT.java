package io.pgtrickle.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.pgtrickle.server.MirroredClient.Reply;
import io.pgtrickle.server.protocol.LeakCheckExtension;
import io.pgtrickle.testing.PgTest;
import io.pgtrickle.testing.RandomQueries;
import io.pgtrickle.testing.Sql;
import io.pgtrickle.testing.StreamTableOracle;
import io.pgtrickle.testing.TestDatabase;
import java.io.StringReader;
import java.math.BigDecimal;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.postgresql.PGConnection;
import org.postgresql.core.TransactionState;

/**
 * IMMEDIATE stream tables created and maintained through the proxy, with pgjdbc in each of its
 * query modes: every form of write the interceptor must recognise, in autocommit and in explicit
 * transactions (JDBC and SQL transaction control, savepoints), prepared statements, batches,
 * multi-statement strings and COPY. Every statement is also sent straight to PostgreSQL on twin
 * tables (see {@link MirroredClient}), so the client's replies through the proxy are checked
 * against PostgreSQL's own; after every statement each stream table equals its query, read through
 * the proxy in the client's transaction and, when none is open, from another connection.
 */
@PgTest
@ExtendWith(LeakCheckExtension.class)
class ProxyImmediateIT {

  /** pgjdbc's ways of speaking the protocol. */
  enum Mode {
    /** One Query message per statement string. */
    SIMPLE("preferQueryMode=simple"),
    /** pgjdbc's default: unnamed statements, named ones from the fifth execution. */
    EXTENDED(""),
    /** The simple protocol for {@code Statement}, the extended one for prepared statements. */
    EXTENDED_FOR_PREPARED("preferQueryMode=extendedForPrepared"),
    /** Named server-side statements from the first execution, binary values. */
    NAMED("prepareThreshold=1&binaryTransfer=true");

    final String urlParameters;

    Mode(String urlParameters) {
      this.urlParameters = urlParameters;
    }

    /** Keys of the rows this mode's tests write: each test has its own hundred from here. */
    int base() {
      return 10_000 + 1000 * ordinal();
    }
  }

  private static final String TWIN = "twin";
  private static final List<String> SOURCES = List.of("r1", "r2", "r3", "untracked");

  /** Stream table name to defining query, all IMMEDIATE, created through the proxy. */
  private static final Map<String, String> TABLES = new LinkedHashMap<>();

  static {
    TABLES.put(
        "imm_join",
        "SELECT a.id, a.g, a.s AS label, b.id AS bid, b.w FROM r1 a JOIN r2 b ON b.r1_id = a.id");
    TABLES.put("imm_agg", "SELECT g, count(*) AS n, sum(v) AS sv, avg(f) AS af FROM r1 GROUP BY g");
    TABLES.put(
        "imm_minmax",
        "SELECT g % 3 AS k, min(v) AS lo, max(s) AS hi, count(*) AS n FROM r1 GROUP BY 1");
    TABLES.put(
        "imm_left",
        "SELECT a.id, count(b.id) AS orders, coalesce(sum(b.w), 0) AS total"
            + " FROM r1 a LEFT JOIN r2 b ON b.r1_id = a.id GROUP BY a.id");
    TABLES.put("imm_bag", "SELECT k, x FROM r3 WHERE x > 1");
    TABLES.put("imm_distinct", "SELECT DISTINCT k FROM r3");
    TABLES.put("imm_global", "SELECT count(*) AS n, sum(x) AS sx FROM r3");
    // Maintained from imm_agg's maintenance in the same transaction.
    TABLES.put("imm_cascade", "SELECT n, count(*) AS groups FROM imm_agg GROUP BY n");
  }

  /** How each stream table is asked for: both spellings the API accepts. */
  private static final Map<String, String> SPELLINGS =
      Map.of(
          "imm_join", "refresh_mode => 'IMMEDIATE'",
          "imm_agg", "schedule => 'IMMEDIATE', refresh_mode => 'DIFFERENTIAL'",
          "imm_minmax", "schedule => 'IMMEDIATE'",
          "imm_left", "refresh_mode => 'immediate'",
          "imm_bag", "schedule => 'IMMEDIATE'",
          "imm_distinct", "refresh_mode => 'IMMEDIATE'",
          "imm_global", "schedule => 'immediate', refresh_mode => 'AUTO'",
          "imm_cascade", "refresh_mode => 'IMMEDIATE'");

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
        st.execute("CREATE TABLE untracked (id int, note text)");
        st.execute(
            "CREATE PROCEDURE add_r3(a int, b int) LANGUAGE sql AS"
                + " $$INSERT INTO r3 VALUES (a, b)$$");
        for (String dml : RandomQueries.dml(new SplittableRandom(42), 60)) {
          st.execute(dml);
        }
      }
    }
    try (Connection c = proxy.connect(MirroredClient.HANG_GUARD);
        Statement st = c.createStatement()) {
      for (Map.Entry<String, String> t : TABLES.entrySet()) {
        assertThat(
                st.execute(
                    "SELECT pgtrickle.create_stream_table('"
                        + t.getKey()
                        + "', $$"
                        + t.getValue()
                        + "$$, "
                        + SPELLINGS.get(t.getKey())
                        + ")"))
            .as("the call returns a result, like a void function")
            .isTrue();
        try (ResultSet rs = st.getResultSet()) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getString(1)).isNull();
          assertThat(rs.next()).isFalse();
        }
      }
    }
  }

  @AfterAll
  static void stop() {
    if (proxy != null) {
      proxy.close();
    }
  }

  @Test
  void streamTablesAreCreatedImmediateInBothSpellings(TestDatabase db) throws SQLException {
    try (Connection c = db.connect()) {
      for (String name : TABLES.keySet()) {
        assertThat(
                Sql.column(
                    c,
                    "SELECT refresh_mode || ' ' || effective_refresh_mode || ' ' || is_populated"
                        + " FROM pgtrickle.pgt_stream_tables WHERE pgt_name = '"
                        + name
                        + "'"))
            .as("%s, created with %s", name, SPELLINGS.get(name))
            .containsExactly("IMMEDIATE IMMEDIATE true");
      }
      for (Map.Entry<String, String> t : TABLES.entrySet()) {
        StreamTableOracle.assertMatchesQuery(c, t.getKey(), t.getValue());
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  void autocommitWritesOfEveryFormAreMaintainedWithTheWrite(Mode mode, TestDatabase db)
      throws SQLException {
    int b = mode.base();
    try (MirroredClient m = open(mode, db)) {
      for (String sql :
          List.of(
              "INSERT INTO r1 VALUES (%1$d, 1, 5, 's1', 10.5), (%2$d, 2, 6, 's2', 11.5),"
                  + " (%3$d, 2, NULL, NULL, 12.5)",
              "INSERT INTO r2 VALUES (%1$d, %1$d, 7, 't1'), (%2$d, %1$d, 8, 't2'),"
                  + " (%3$d, %2$d, 9, NULL)",
              "INSERT INTO r3 VALUES (5, 3), (5, 3), (1, 2)",
              "INSERT INTO r3 SELECT g, v FROM r1 WHERE id BETWEEN %1$d AND %3$d",
              "UPDATE r1 SET v = v + 10 WHERE id BETWEEN %1$d AND %2$d",
              "UPDATE r1 SET g = 3 WHERE id = %3$d",
              "UPDATE r2 SET w = r1.v FROM r1 WHERE r2.r1_id = r1.id AND r1.id BETWEEN %1$d AND %3$d",
              "DELETE FROM r3 USING r1 WHERE r3.k = r1.g AND r1.id = %3$d",
              "INSERT INTO r1 VALUES (%1$d, 4, 1, 's4', 1.5)"
                  + " ON CONFLICT (id) DO UPDATE SET g = EXCLUDED.g, v = EXCLUDED.v",
              "INSERT INTO r1 VALUES (%1$d, 4, 1, 's4', 1.5) ON CONFLICT (id) DO NOTHING",
              "INSERT INTO r1 VALUES (%4$d, 4, 1, 's4', 1.5) ON CONFLICT DO NOTHING",
              "MERGE INTO r1 USING (VALUES (%2$d, 9), (%5$d, 2)) AS m(id, v) ON r1.id = m.id"
                  + " WHEN MATCHED THEN UPDATE SET v = m.v"
                  + " WHEN NOT MATCHED THEN INSERT VALUES (m.id, 1, m.v, 'm', 2.5)",
              "MERGE INTO r1 USING (VALUES (%2$d), (%5$d)) AS m(id) ON r1.id = m.id"
                  + " WHEN MATCHED AND r1.v > 5 THEN DELETE",
              "WITH moved AS (DELETE FROM r2 WHERE id = %3$d RETURNING id, r1_id, w, tag)"
                  + " INSERT INTO r2 SELECT id + 50, r1_id, w, tag FROM moved",
              "UPDATE r1 SET s = 'ret' WHERE id BETWEEN %1$d AND %5$d RETURNING id, g, v, s",
              "INSERT INTO r2 VALUES (%4$d, %4$d, 1, 'r') RETURNING *",
              "DELETE FROM r1 WHERE id = %4$d RETURNING id",
              "UPDATE r1 SET v = v WHERE false",
              "DELETE FROM r2 WHERE r1_id = %2$d",
              "DO $$BEGIN INSERT INTO r3 VALUES (6, 6); UPDATE r1 SET v = 0 WHERE id = %1$d;"
                  + " END$$",
              "CALL add_r3(7, 7)",
              "INSERT INTO untracked VALUES (1, 'not a source')",
              "SELECT count(*), sum(v) FROM r1",
              "DELETE FROM r3 WHERE k IN (5, 6, 7)")) {
        Reply reply = m.execute(sql.formatted(b, b + 1, b + 2, b + 3, b + 4));
        assertThat(reply.status()).as(sql).isEqualTo(TransactionState.IDLE);
      }
      // EXPLAIN ANALYZE runs the write; its plan names our capture triggers, so the twin gets the
      // plain statement instead and the replies are not compared.
      m.step(
          "EXPLAIN ANALYZE of an INSERT",
          (c, side) -> {
            try (Statement st = c.createStatement()) {
              st.execute(
                  (side == 0 ? "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) " : "")
                      + "INSERT INTO r3 VALUES (8, 8)");
            }
            return List.of();
          });
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  void explicitTransactionsReadTheirWritesAndRollBackWithTheirMaintenance(
      Mode mode, TestDatabase db) throws SQLException {
    int b = mode.base() + 100;
    try (MirroredClient m = open(mode, db)) {
      // JDBC transaction control.
      m.setAutoCommit(false);
      Reply insert = m.execute("INSERT INTO r1 VALUES (%d, 1, 1, 'tx', 1.5)".formatted(b));
      assertThat(insert.status()).isEqualTo(TransactionState.OPEN);
      m.execute("INSERT INTO r2 VALUES (%1$d, %1$d, 4, 'tx')".formatted(b));
      Savepoint[] sp = m.setSavepoint();
      m.execute("UPDATE r1 SET g = 2, v = 9 WHERE id = %d".formatted(b));
      m.execute("INSERT INTO r3 VALUES (2, 9), (2, 9)");
      m.execute("DELETE FROM r2 WHERE id = %d".formatted(b));
      m.rollback(sp);
      m.execute("UPDATE r1 SET v = 3 WHERE id = %d".formatted(b));
      assertThat(m.commit().status()).isEqualTo(TransactionState.IDLE);
      m.execute("DELETE FROM r1 WHERE id = %d".formatted(b));
      m.execute("INSERT INTO r3 SELECT g, v FROM r1 WHERE id < 10");
      m.rollback();
      // A savepoint released, then the transaction committed.
      m.execute("UPDATE r2 SET w = w + 1 WHERE r1_id = %d".formatted(b));
      Savepoint[] kept = m.setSavepoint();
      m.execute("INSERT INTO r3 VALUES (3, 3)");
      m.release(kept);
      m.commit();
      m.setAutoCommit(true);

      // SQL transaction control, nested savepoints.
      assertThat(m.execute("BEGIN").status()).isEqualTo(TransactionState.OPEN);
      m.execute("INSERT INTO r1 VALUES (%d, 4, 4, 'sql', 2.5)".formatted(b + 1));
      m.execute("SAVEPOINT a");
      m.execute("UPDATE r1 SET g = 5 WHERE id BETWEEN %d AND %d".formatted(b, b + 1));
      m.execute("SAVEPOINT b");
      m.execute("DELETE FROM r1 WHERE id = %d".formatted(b));
      m.execute("ROLLBACK TO SAVEPOINT b");
      m.execute("INSERT INTO r2 VALUES (%1$d, %1$d, 5, 'sql')".formatted(b + 1));
      m.execute("ROLLBACK TO SAVEPOINT a");
      m.execute("UPDATE r1 SET v = 7 WHERE id = %d".formatted(b + 1));
      m.execute("RELEASE SAVEPOINT a");
      assertThat(m.execute("COMMIT").status()).isEqualTo(TransactionState.IDLE);

      m.execute("BEGIN");
      m.execute("DELETE FROM r1 WHERE id = %d".formatted(b + 1));
      m.execute("INSERT INTO r3 VALUES (4, 4)");
      m.execute("ROLLBACK");

      m.execute("START TRANSACTION ISOLATION LEVEL REPEATABLE READ");
      m.execute("UPDATE r1 SET v = v + 1 WHERE id = %d".formatted(b + 1));
      m.execute("END");

      // COMMIT AND CHAIN commits the maintenance and goes on in a new transaction.
      m.execute("BEGIN");
      m.execute("INSERT INTO r3 VALUES (11, 11)");
      assertThat(m.execute("COMMIT AND CHAIN").status()).isEqualTo(TransactionState.OPEN);
      m.execute("INSERT INTO r3 VALUES (12, 12)");
      m.execute("ROLLBACK");

      // A transaction that only reads the stream tables and the sources.
      m.execute("BEGIN READ ONLY");
      m.execute("SELECT count(*) FROM r1");
      m.execute("COMMIT");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  void theClientsOwnErrorsLeaveItsSessionAsPostgresWould(Mode mode, TestDatabase db)
      throws SQLException {
    int b = mode.base() + 200;
    try (MirroredClient m = open(mode, db)) {
      m.execute("INSERT INTO r1 VALUES (%d, 1, 1, 'e', 1.5)".formatted(b));
      Reply duplicate = m.execute("INSERT INTO r1 VALUES (%d, 2, 2, 'e', 1.5)".formatted(b));
      assertThat(duplicate.error()).startsWith("23505");
      assertThat(duplicate.status()).isEqualTo(TransactionState.IDLE);
      // The statement fails after its first rows were written and captured.
      assertThat(
              m.execute(
                      "INSERT INTO r1 SELECT %d + i, 1, i, 'e', 1.5 FROM generate_series(1, 3) i UNION ALL SELECT %d, 1, 1, 'dup', 1.5"
                          .formatted(b, b))
                  .error())
          .startsWith("23505");

      m.execute("BEGIN");
      m.execute("UPDATE r1 SET v = 50 WHERE id = %d".formatted(b));
      m.execute("SAVEPOINT s");
      m.execute("INSERT INTO r3 VALUES (13, 13)");
      Reply failed = m.execute("INSERT INTO r1 VALUES (%d, 2, 2, 'e', 1.5)".formatted(b));
      assertThat(failed.status()).isEqualTo(TransactionState.FAILED);
      assertThat(m.execute("SELECT 1").error()).startsWith("25P02");
      assertThat(m.execute("ROLLBACK TO SAVEPOINT s").status()).isEqualTo(TransactionState.OPEN);
      m.execute("UPDATE r1 SET g = 6 WHERE id = %d".formatted(b));
      m.execute("COMMIT");

      // COMMIT of an aborted transaction rolls it back.
      m.execute("BEGIN");
      m.execute("UPDATE r1 SET v = 60 WHERE id = %d".formatted(b));
      m.execute("SELECT 1/0");
      m.execute("COMMIT");

      m.setAutoCommit(false);
      m.execute("DELETE FROM r1 WHERE id = %d".formatted(b));
      m.execute("INSERT INTO r1 VALUES (nonsense)");
      m.rollback();
      m.setAutoCommit(true);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  void preparedStatementsAreMaintainedOnEveryExecution(Mode mode, TestDatabase db)
      throws SQLException {
    int b = mode.base() + 300;
    try (MirroredClient m = open(mode, db)) {
      for (int i = 0; i < 8; i++) {
        m.prepared(
            "INSERT INTO r1 VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET v = EXCLUDED.v",
            b + i % 5,
            i % 3,
            i,
            "p" + i,
            new BigDecimal("1.50"));
        m.prepared(
            "INSERT INTO r2 VALUES (?, ?, ?, 'p') ON CONFLICT DO NOTHING", b + i, b + i % 5, i);
        m.prepared(
            "UPDATE r1 SET v = v + ? WHERE g = ? AND id BETWEEN ? AND ? + 99", 1, i % 3, b, b);
        if (i % 3 == 2) {
          m.prepared("DELETE FROM r2 WHERE id = ? RETURNING w", b + i - 1);
        }
        m.prepared("SELECT count(*) FROM r1 WHERE id BETWEEN ? AND ? + 99", b, b);
      }
      // The same named statements inside a transaction, rolled back.
      m.setAutoCommit(false);
      for (int i = 0; i < 3; i++) {
        m.prepared("UPDATE r1 SET v = v + ? WHERE g = ? AND id BETWEEN ? AND ? + 99", 100, i, b, b);
      }
      m.rollback();
      m.setAutoCommit(true);
    }
  }

  /**
   * A write whose RETURNING rows are fetched a few at a time through a portal (pgjdbc's fetch size
   * in a transaction; the simple protocol ignores it), then a read of the stream tables.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  void writesWhoseRowsAreFetchedInChunksAreMaintained(Mode mode, TestDatabase db)
      throws SQLException {
    int b = mode.base() + 700;
    try (MirroredClient m = open(mode, db)) {
      m.execute(
          "INSERT INTO r1 SELECT %d + i, i %% 3, i, 'chunk', 1.5 FROM generate_series(0, 9) i"
              .formatted(b));
      m.setAutoCommit(false);
      for (String sql :
          List.of(
              "UPDATE r1 SET v = v + 1 WHERE id BETWEEN %1$d AND %1$d + 99 RETURNING id, v"
                  .formatted(b),
              "DELETE FROM r1 WHERE id BETWEEN %1$d AND %1$d + 99 AND v %% 2 = 0 RETURNING id"
                  .formatted(b),
              "SELECT id, g FROM r1 WHERE id BETWEEN %1$d AND %1$d + 99".formatted(b))) {
        m.step(
            sql + " fetched two rows at a time",
            (c, side) -> {
              try (Statement st = c.createStatement()) {
                st.setFetchSize(2);
                return MirroredClient.results(st, st.execute(sql));
              }
            });
      }
      m.commit();
      m.setAutoCommit(true);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  void batchesAreMaintainedAndCountedAsPostgresCountsThem(Mode mode, TestDatabase db)
      throws SQLException {
    int b = mode.base() + 400;
    try (MirroredClient m = open(mode, db)) {
      List<Object[]> rows = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        rows.add(new Object[] {b + i % 25, i % 4, i});
      }
      Reply upserts =
          m.preparedBatch(
              "INSERT INTO r1 VALUES (?, ?, ?, 'batch', 1.5)"
                  + " ON CONFLICT (id) DO UPDATE SET v = EXCLUDED.v",
              rows);
      assertThat(upserts.results()).hasSize(1);
      m.batch(
          List.of(
              "UPDATE r1 SET v = v + 1 WHERE id BETWEEN %1$d AND %1$d + 99".formatted(b),
              "INSERT INTO r2 SELECT id, id, v, 'batch' FROM r1 WHERE id BETWEEN %1$d AND %1$d + 99"
                  .formatted(b),
              "DELETE FROM r1 WHERE id BETWEEN %1$d AND %1$d + 99 AND v > 40".formatted(b),
              "INSERT INTO r3 VALUES (1, 1), (2, 2)",
              "DELETE FROM r3 USING r1 WHERE r3.k = r1.g AND r1.id = %d".formatted(b + 3)));
      // An entry that fails: in autocommit the whole batch is one transaction.
      Reply failing =
          m.batch(
              List.of(
                  "UPDATE r1 SET g = 9 WHERE id = %d".formatted(b + 1),
                  "INSERT INTO r1 VALUES (%d, 1, 1, 'dup', 1.5)".formatted(b + 1),
                  "DELETE FROM r2 WHERE id BETWEEN %1$d AND %1$d + 99".formatted(b)));
      assertThat(failing.results()).contains("cause 23505");
      // A batch inside a transaction, read before commit.
      m.setAutoCommit(false);
      m.preparedBatch(
          "DELETE FROM r1 WHERE id = ?", List.of(new Object[] {b + 2}, new Object[] {b + 4}));
      m.batch(
          List.of(
              "UPDATE r2 SET w = 0 WHERE id BETWEEN %1$d AND %1$d + 99".formatted(b),
              "INSERT INTO r3 VALUES (3, 3)"));
      m.commit();
      m.setAutoCommit(true);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  void multiStatementStringsAreMaintained(Mode mode, TestDatabase db) throws SQLException {
    int b = mode.base() + 500;
    try (MirroredClient m = open(mode, db)) {
      m.execute(
          "INSERT INTO r1 VALUES (%1$d, 1, 1, 'm', 1.5), (%2$d, 2, 2, 'm', 1.5);"
                  .formatted(b, b + 1)
              + " UPDATE r1 SET v = v * 3 WHERE id = %d;".formatted(b)
              + " INSERT INTO r2 VALUES (%1$d, %1$d, 5, 'm'); DELETE FROM r3 WHERE x = 2"
                  .formatted(b));
      m.execute(
          "UPDATE r2 SET w = 6 WHERE id = %d; SELECT count(*) FROM r2 WHERE w = 6".formatted(b));
      // The second statement fails: the implicit transaction takes the first with it.
      Reply failed =
          m.execute(
              "DELETE FROM r1 WHERE id = %d; INSERT INTO r3 VALUES ('x', 1)".formatted(b + 1));
      assertThat(failed.error()).startsWith("22P02");
      // Transaction control inside the string.
      m.execute(
          "BEGIN; INSERT INTO r3 VALUES (21, 21); UPDATE r1 SET g = 7 WHERE id = %d; COMMIT"
              .formatted(b));
      Reply open =
          m.execute(
              "UPDATE r1 SET v = 1 WHERE id = %d; BEGIN; UPDATE r1 SET v = 2 WHERE id = %d"
                  .formatted(b, b + 1));
      assertThat(open.status()).isEqualTo(TransactionState.OPEN);
      m.execute("INSERT INTO r3 VALUES (22, 22); SAVEPOINT m; DELETE FROM r3 WHERE k = 21");
      m.execute("ROLLBACK TO SAVEPOINT m; UPDATE r3 SET x = 23 WHERE k = 22");
      assertThat(m.execute("ROLLBACK").status()).isEqualTo(TransactionState.IDLE);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  void copyFromStdinIntoASourceIsMaintained(Mode mode, TestDatabase db) throws SQLException {
    int b = mode.base() + 600;
    StringBuilder rows = new StringBuilder();
    for (int i = 0; i < 20; i++) {
      rows.append(b + i)
          .append('\t')
          .append(i % 4)
          .append('\t')
          .append(i)
          .append("\tcopy\t")
          .append(i)
          .append(".5\n");
    }
    try (MirroredClient m = open(mode, db)) {
      assertThat(m.copyIn("COPY r1 FROM STDIN", rows.toString()).results())
          .containsExactly("copy 20");
      m.copyIn("COPY r3 (k, x) FROM STDIN WITH (FORMAT csv)", "1,5\n1,5\n2,\n");
      StringBuilder many = new StringBuilder();
      for (int i = 0; i < 20_000; i++) {
        many.append(100 + i % 50).append('\t').append(i % 7).append('\n');
      }
      assertThat(m.copyIn("COPY r3 FROM STDIN", many.toString()).results())
          .containsExactly("copy 20000");
      m.execute("DELETE FROM r3 WHERE k >= 100");
      m.setAutoCommit(false);
      m.copyIn(
          "COPY r2 (id, r1_id, w) FROM STDIN",
          "%1$d\t%1$d\t1\n%2$d\t%1$d\t2\n".formatted(b, b + 1));
      m.execute("UPDATE r1 SET g = 0 WHERE id = %d".formatted(b));
      m.commit();
      m.copyIn("COPY r3 FROM STDIN", "9\t9\n");
      m.rollback();
      m.setAutoCommit(true);
      // A bad line fails the COPY, and the rows before it are not written.
      Reply bad = m.copyIn("COPY r3 FROM STDIN", "30\t1\n31\t1\nnot-a-number\t1\n");
      assertThat(bad.error()).startsWith("22P02");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  void truncateOfASourceIsMaintained(Mode mode, TestDatabase db) throws SQLException {
    try (MirroredClient m = open(mode, db)) {
      m.execute("BEGIN");
      m.execute("TRUNCATE r3");
      m.execute("INSERT INTO r3 VALUES (1, 2), (1, 2)");
      m.execute("ROLLBACK");
      m.execute("CREATE TEMP TABLE keep AS SELECT * FROM r3");
      m.execute("TRUNCATE r3");
      m.execute("INSERT INTO r3 SELECT * FROM keep");
      m.execute("DROP TABLE keep");
    }
  }

  /**
   * A stream table created and altered to IMMEDIATE through the proxy on the client's own
   * connection is maintained from its next statement, also inside the transaction that created it.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  void streamTablesCreatedOrAlteredOnTheConnectionAreMaintainedAtOnce(Mode mode, TestDatabase db)
      throws SQLException {
    String src = "late_" + mode.name().toLowerCase();
    String created = src + "_created";
    String altered = src + "_altered";
    String query = "SELECT k, count(*) AS n, sum(v) AS total FROM " + src + " GROUP BY k";
    db.execute("CREATE TABLE " + src + " (id int PRIMARY KEY, k int, v int)");
    db.execute("INSERT INTO " + src + " SELECT i, i % 3, i FROM generate_series(1, 10) i");
    try (Connection c = proxy.connect(MirroredClient.guarded(mode.urlParameters));
        Statement st = c.createStatement();
        PreparedStatement ps = c.prepareStatement("UPDATE " + src + " SET v = v + ? WHERE id = ?");
        Connection other = db.connect()) {
      // Prepared (a named server statement in most modes) while the table is no source yet.
      for (int i = 1; i <= 6; i++) {
        ps.setInt(1, 1);
        ps.setInt(2, i);
        assertThat(ps.executeUpdate()).isEqualTo(1);
      }
      st.execute(
          "SELECT pgtrickle.create_stream_table('"
              + altered
              + "', $$"
              + query
              + "$$, refresh_mode => 'DIFFERENTIAL')");
      st.execute(
          "SELECT pgtrickle.alter_stream_table('" + altered + "', refresh_mode => 'IMMEDIATE')");
      assertThat(st.executeUpdate("UPDATE " + src + " SET v = v + 1 WHERE k = 1")).isEqualTo(4);
      StreamTableOracle.assertMatchesQuery(other, altered, query);
      ps.setInt(1, 100);
      ps.setInt(2, 2);
      assertThat(ps.executeUpdate()).isEqualTo(1);
      StreamTableOracle.assertMatchesQuery(other, altered, query);

      c.setAutoCommit(false);
      st.execute(
          "SELECT pgtrickle.create_stream_table('"
              + created
              + "', $$"
              + query
              + "$$, refresh_mode => 'IMMEDIATE')");
      assertThat(st.executeUpdate("DELETE FROM " + src + " WHERE id > 8")).isEqualTo(2);
      StreamTableOracle.assertMatchesQuery(c, created, query);
      StreamTableOracle.assertMatchesQuery(c, altered, query);
      c.commit();
      c.setAutoCommit(true);
      assertThat(st.executeUpdate("INSERT INTO " + src + " VALUES (20, 2, 20)")).isEqualTo(1);
      StreamTableOracle.assertMatchesQuery(other, created, query);
      StreamTableOracle.assertMatchesQuery(other, altered, query);

      // Once they are dropped, writes to their source, the prepared one too, go on working.
      st.execute("SELECT pgtrickle.drop_stream_table('" + created + "')");
      st.execute("SELECT pgtrickle.drop_stream_table('" + altered + "')");
      assertThat(ps.executeUpdate()).isEqualTo(1);
      assertThat(st.executeUpdate("DELETE FROM " + src + " WHERE id = 20")).isEqualTo(1);
      assertThat(MirroredClient.status(c)).isEqualTo(TransactionState.IDLE);
    }
  }

  /**
   * A DIFFERENTIAL stream table over an IMMEDIATE one catches up at its refresh. The writes leave
   * r1 as they found it, so the mirrored tests' twin stays equal.
   */
  @Test
  void aRefreshedStreamTableCanReadAnImmediateOne(TestDatabase db) throws SQLException {
    String query = "SELECT count(*) AS groups, sum(n) AS total_rows FROM imm_agg";
    try (Connection c = proxy.connect(MirroredClient.HANG_GUARD);
        Statement st = c.createStatement();
        Connection other = db.connect()) {
      st.execute(
          "SELECT pgtrickle.create_stream_table('diff_over_imm', $$"
              + query
              + "$$, refresh_mode => 'DIFFERENTIAL')");
      st.execute("INSERT INTO r1 VALUES (2000, 77, 1, 'x', 1.5), (2001, 78, 2, 'y', 2.5)");
      st.execute("DELETE FROM r1 WHERE id = 2001");
      st.execute("SELECT pgtrickle.refresh_stream_table('diff_over_imm')");
      StreamTableOracle.assertMatchesQuery(other, "diff_over_imm", query);
      st.execute("DELETE FROM r1 WHERE id = 2000");
      st.execute("SELECT pgtrickle.refresh_stream_table('diff_over_imm')");
      StreamTableOracle.assertMatchesQuery(other, "diff_over_imm", query);
      st.execute("SELECT pgtrickle.drop_stream_table('diff_over_imm')");
    }
  }

  /**
   * A maintenance that fails (here a CHECK constraint on the stream table's storage) fails the
   * client's write, or its COMMIT, with PostgreSQL's error, and leaves the source and the stream
   * table as they were; the session goes on working.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  void aFailedMaintenanceFailsTheStatementAndChangesNothing(Mode mode, TestDatabase db)
      throws SQLException {
    String src = "capped_" + mode.name().toLowerCase();
    String st = src + "_total";
    String query = "SELECT sum(v) AS total FROM " + src;
    db.execute("CREATE TABLE " + src + " (id int PRIMARY KEY, v int)");
    db.execute("INSERT INTO " + src + " VALUES (1, 10)");
    try (Connection c = proxy.connect(MirroredClient.guarded(mode.urlParameters));
        Statement s = c.createStatement();
        Connection other = db.connect()) {
      s.execute(
          "SELECT pgtrickle.create_stream_table('"
              + st
              + "', $$"
              + query
              + "$$, refresh_mode => 'IMMEDIATE')");
      s.execute("ALTER TABLE " + st + " ADD CONSTRAINT total_small CHECK (total < 100)");

      // Autocommit: the write itself fails.
      SQLException e =
          catchThrowableOfType(
              SQLException.class, () -> s.executeUpdate("INSERT INTO " + src + " VALUES (2, 500)"));
      assertThat(state(e)).as("the write whose maintenance fails").isEqualTo("23514");
      assertThat(e.getMessage()).contains("total_small");
      assertThat(MirroredClient.status(c)).isEqualTo(TransactionState.IDLE);
      assertUnchanged(c, other, src, st, query, 1, 10);

      // The same as a prepared statement and as a batch.
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + src + " VALUES (?, ?)")) {
        for (int i = 0; i < 3; i++) {
          ps.setInt(1, 2);
          ps.setInt(2, 500);
          assertThat(state(catchThrowableOfType(SQLException.class, ps::executeUpdate)))
              .as("execution %d of the prepared write", i)
              .isEqualTo("23514");
        }
        // Each entry alone breaks the constraint: pgjdbc's simple mode runs them one by one.
        ps.setInt(1, 3);
        ps.setInt(2, 95);
        ps.addBatch();
        ps.setInt(1, 4);
        ps.setInt(2, 96);
        ps.addBatch();
        BatchUpdateException batch =
            catchThrowableOfType(BatchUpdateException.class, ps::executeBatch);
        assertThat(batch == null ? "no error" : state(batch.getNextException()))
            .as("a batch whose maintenance fails")
            .isEqualTo("23514");
      }
      assertThat(MirroredClient.status(c)).isEqualTo(TransactionState.IDLE);
      assertUnchanged(c, other, src, st, query, 1, 10);

      // COPY.
      SQLException copy =
          catchThrowableOfType(
              SQLException.class,
              () ->
                  c.unwrap(PGConnection.class)
                      .getCopyAPI()
                      .copyIn("COPY " + src + " FROM STDIN", new StringReader("5\t200\n")));
      assertThat(state(copy)).as("a COPY whose maintenance fails").isEqualTo("23514");
      assertUnchanged(c, other, src, st, query, 1, 10);

      // In a transaction the write, a later read or the COMMIT fails; nothing is committed.
      c.setAutoCommit(false);
      List<String> states = new ArrayList<>();
      for (String sql :
          List.of("INSERT INTO " + src + " VALUES (6, 600)", "SELECT total FROM " + st)) {
        try {
          s.execute(sql);
        } catch (SQLException failure) {
          states.add(failure.getSQLState());
        }
      }
      SQLException commit = catchThrowableOfType(SQLException.class, c::commit);
      if (commit != null) {
        states.add(commit.getSQLState());
      }
      assertThat(states).as("errors in the transaction").isNotEmpty().startsWith("23514");
      c.rollback();
      c.setAutoCommit(true);
      assertUnchanged(c, other, src, st, query, 1, 10);

      // The session still maintains what it may.
      assertThat(s.executeUpdate("INSERT INTO " + src + " VALUES (7, 50)")).isEqualTo(1);
      StreamTableOracle.assertMatchesQuery(other, st, query);
      assertThat(Sql.scalar(other, "SELECT total FROM " + st)).isEqualTo(60);

      // SQL transaction control: the write fails, and the block is aborted as after any failed
      // statement; or the COMMIT fails, and like a failed COMMIT in PostgreSQL (a deferred
      // constraint, say) ends the transaction.
      s.execute("BEGIN");
      SQLException update =
          catchThrowableOfType(
              SQLException.class, () -> s.execute("UPDATE " + src + " SET v = 200 WHERE id = 1"));
      if (update == null) {
        SQLException sqlCommit =
            catchThrowableOfType(SQLException.class, () -> s.execute("COMMIT"));
        assertThat(state(sqlCommit))
            .as("COMMIT of a transaction whose maintenance fails")
            .isEqualTo("23514");
        assertThat(MirroredClient.status(c))
            .as("transaction status after the failed COMMIT")
            .isEqualTo(TransactionState.IDLE);
      } else {
        assertThat(state(update)).isEqualTo("23514");
        assertThat(MirroredClient.status(c)).isEqualTo(TransactionState.FAILED);
        s.execute("ROLLBACK");
      }
      assertUnchanged(c, other, src, st, query, 2, 60);
    }
  }

  /**
   * Maintenance runs with the client's privileges: a role that may write a source but not the
   * stream table has its write refused, and nothing is committed.
   */
  @Test
  void aWriterWithoutPrivilegeOnTheStreamTableIsRefusedCleanly(TestDatabase db)
      throws SQLException {
    String role = db.createRole("imm_writer", "pw");
    db.execute("CREATE TABLE guarded (id int PRIMARY KEY, v int)");
    try (Connection c = proxy.connect(MirroredClient.HANG_GUARD);
        Statement st = c.createStatement()) {
      st.execute(
          "SELECT pgtrickle.create_stream_table('imm_guarded', $$SELECT sum(v) AS total FROM"
              + " guarded$$, refresh_mode => 'IMMEDIATE')");
      st.execute("GRANT INSERT, SELECT ON guarded TO " + role);
      st.execute("GRANT USAGE ON SCHEMA pgtrickle_changes TO " + role);
    }
    for (Mode mode : Mode.values()) {
      java.util.Properties props = db.properties();
      props.setProperty("user", role);
      props.setProperty("password", "pw");
      try (Connection w =
              java.sql.DriverManager.getConnection(proxy.jdbcUrl(mode.urlParameters), props);
          Statement st = w.createStatement()) {
        SQLException e =
            catchThrowableOfType(
                SQLException.class, () -> st.executeUpdate("INSERT INTO guarded VALUES (1, 5)"));
        assertThat(state(e))
            .as("%s: a write whose maintenance the role may not do", mode)
            .isEqualTo("42501");
        assertThat(MirroredClient.status(w)).isEqualTo(TransactionState.IDLE);
      }
      try (Connection c = db.connect()) {
        assertThat(Sql.scalar(c, "SELECT count(*) FROM guarded")).as("%s", mode).isZero();
      }
    }
  }

  /** The SQLSTATE of {@code e}, or "no error" when nothing was thrown. */
  private static String state(SQLException e) {
    return e == null ? "no error" : e.getSQLState();
  }

  private static void assertUnchanged(
      Connection c, Connection other, String src, String st, String query, long rows, long total)
      throws SQLException {
    for (Connection conn : List.of(c, other)) {
      assertThat(Sql.scalar(conn, "SELECT count(*) FROM " + src)).isEqualTo(rows);
      assertThat(Sql.scalar(conn, "SELECT total FROM " + st)).isEqualTo(total);
      StreamTableOracle.assertMatchesQuery(conn, st, query);
    }
  }

  private static MirroredClient open(Mode mode, TestDatabase db) throws SQLException {
    return MirroredClient.open(
        proxy, db, mode.urlParameters, TWIN, SOURCES, TABLES, "pgjdbc " + mode);
  }
}
