package io.pgtrickle.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.pgtrickle.server.protocol.LeakCheckExtension;
import io.pgtrickle.testing.PgTest;
import io.pgtrickle.testing.Sql;
import io.pgtrickle.testing.StreamTableOracle;
import io.pgtrickle.testing.TestDatabase;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.PGConnection;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;

/**
 * IMMEDIATE maintenance in the proxy, protocol by protocol: the client gets PostgreSQL's own
 * replies (row counts, transaction status, errors) while the proxy maintains the stream table
 * around its statements, in the simple protocol (where an autocommit write is wrapped in a
 * transaction of the proxy's) and in the extended protocol (where maintenance runs before the Sync,
 * inside the implicit transaction, or in the middle of a batch before a statement that reads).
 */
@PgTest
@ExtendWith(LeakCheckExtension.class)
class ProxyImmediateProtocolIT {
  private static final String QUERY = "SELECT g, sum(v) AS s, count(*) AS n FROM ip_src GROUP BY g";

  private static TestProxy proxy;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    proxy = TestProxy.start(db);
    db.execute("CREATE TABLE ip_src (id int PRIMARY KEY, g int NOT NULL, v int NOT NULL)");
    try (Connection c = proxy.connect();
        Statement st = c.createStatement()) {
      st.execute(
          "SELECT pgtrickle.create_stream_table('ip_st', $$"
              + QUERY
              + "$$, refresh_mode => 'IMMEDIATE')");
    }
  }

  @AfterAll
  static void stop() {
    if (proxy != null) {
      proxy.close();
    }
  }

  private static Connection connect(String mode) throws SQLException {
    return proxy.connect("preferQueryMode=" + mode);
  }

  /** Writes through the proxy keep the stream table equal to its query at every step. */
  private static void assertMaintained(Connection c, String when) throws SQLException {
    StreamTableOracle.assertMatchesQuery(c, "ip_st", QUERY);
    assertThat(Sql.scalar(c, "SELECT count(*) FROM ip_st"))
        .as("stream table rows %s", when)
        .isEqualTo(Sql.scalar(c, "SELECT count(DISTINCT g) FROM ip_src"));
  }

  private static TransactionState status(Connection c) throws SQLException {
    return c.unwrap(BaseConnection.class).getTransactionState();
  }

  @ParameterizedTest
  @ValueSource(strings = {"simple", "extended", "extendedForPrepared"})
  void autocommitWritesAreMaintainedAndAnsweredAsDirectly(String mode, TestDatabase db)
      throws SQLException {
    try (Connection c = connect(mode);
        Statement st = c.createStatement()) {
      st.execute("TRUNCATE ip_src");
      assertThat(
              st.executeUpdate(
                  "INSERT INTO ip_src SELECT i, i % 3, i FROM generate_series(1, 10) i"))
          .isEqualTo(10);
      assertThat(status(c)).isEqualTo(TransactionState.IDLE);
      assertMaintained(c, "after an autocommit INSERT");
      assertThat(st.executeUpdate("UPDATE ip_src SET v = v + 1 WHERE g = 1")).isEqualTo(4);
      assertMaintained(c, "after an autocommit UPDATE");
      assertThat(st.executeUpdate("DELETE FROM ip_src WHERE id > 8")).isEqualTo(2);
      assertMaintained(c, "after an autocommit DELETE");
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO ip_src VALUES (?, ?, ?)")) {
        for (int i = 100; i < 110; i++) {
          ps.setInt(1, i);
          ps.setInt(2, i % 5);
          ps.setInt(3, 1);
          assertThat(ps.executeUpdate()).isEqualTo(1);
          assertMaintained(c, "after prepared INSERT " + i);
        }
        for (int i = 200; i < 250; i++) {
          ps.setInt(1, i);
          ps.setInt(2, i % 7);
          ps.setInt(3, 2);
          ps.addBatch();
        }
        assertThat(ps.executeBatch()).hasSize(50).containsOnly(1);
      }
      assertMaintained(c, "after a batch");
      // Several statements in one Query (simple) or one batch (extended), one transaction.
      st.execute("INSERT INTO ip_src VALUES (300, 9, 9); UPDATE ip_src SET v = 0 WHERE id = 300");
      assertMaintained(c, "after two statements in one string");
      assertThat(status(c)).isEqualTo(TransactionState.IDLE);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"simple", "extended"})
  void transactionsReadTheirWritesAndRollbackUndoesMaintenance(String mode, TestDatabase db)
      throws SQLException {
    try (Connection c = connect(mode);
        Statement st = c.createStatement()) {
      st.execute("TRUNCATE ip_src");
      c.setAutoCommit(false);
      st.executeUpdate("INSERT INTO ip_src VALUES (1, 1, 10), (2, 2, 20)");
      assertThat(status(c)).isEqualTo(TransactionState.OPEN);
      assertMaintained(c, "inside a transaction");
      var sp = c.setSavepoint();
      st.executeUpdate("INSERT INTO ip_src VALUES (3, 3, 30)");
      assertMaintained(c, "after the savepoint");
      c.rollback(sp);
      assertMaintained(c, "after ROLLBACK TO SAVEPOINT");
      assertThat(Sql.scalar(c, "SELECT count(*) FROM ip_st")).isEqualTo(2);
      c.rollback();
      assertMaintained(c, "after ROLLBACK");
      assertThat(Sql.scalar(c, "SELECT count(*) FROM ip_st")).isZero();
      st.executeUpdate("INSERT INTO ip_src VALUES (4, 4, 40)");
      c.commit();
      c.setAutoCommit(true);
      assertThat(Sql.scalar(c, "SELECT s FROM ip_st WHERE g = 4")).isEqualTo(40);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"simple", "extended"})
  void copyFromStdinIntoASourceIsMaintained(String mode, TestDatabase db) throws Exception {
    try (Connection c = connect(mode)) {
      c.createStatement().execute("TRUNCATE ip_src");
      StringBuilder rows = new StringBuilder();
      for (int i = 1; i <= 1000; i++) {
        rows.append(i).append('\t').append(i % 10).append('\t').append(i).append('\n');
      }
      long copied =
          c.unwrap(PGConnection.class)
              .getCopyAPI()
              .copyIn("COPY ip_src FROM STDIN", new StringReader(rows.toString()));
      assertThat(copied).isEqualTo(1000);
      assertThat(status(c)).isEqualTo(TransactionState.IDLE);
      assertMaintained(c, "after COPY FROM STDIN");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"simple", "extended"})
  void failedMaintenanceFailsTheStatementAndChangesNothing(String mode, TestDatabase db)
      throws SQLException {
    try (Connection c = connect(mode);
        Statement st = c.createStatement()) {
      st.execute("TRUNCATE ip_src");
      st.execute("INSERT INTO ip_src VALUES (1, 1, 1)");
      db.execute("ALTER TABLE ip_st ADD CONSTRAINT ip_small CHECK (s < 100)");
      try {
        SQLException e =
            catchThrowableOfType(
                SQLException.class,
                () -> st.executeUpdate("INSERT INTO ip_src VALUES (2, 1, 500)"));
        assertThat((Object) e).as("an autocommit write whose maintenance fails").isNotNull();
        assertThat(e.getSQLState()).isEqualTo("23514");
        assertThat(status(c)).isEqualTo(TransactionState.IDLE);
        assertThat(Sql.scalar(c, "SELECT count(*) FROM ip_src")).isEqualTo(1);
        assertMaintained(c, "after a failed autocommit write");

        c.setAutoCommit(false);
        st.executeUpdate("INSERT INTO ip_src VALUES (3, 1, 700)");
        e = catchThrowableOfType(SQLException.class, c::commit);
        assertThat((Object) e).as("a COMMIT whose maintenance fails").isNotNull();
        assertThat(e.getSQLState()).isEqualTo("23514");
        c.rollback();
        c.setAutoCommit(true);
        assertThat(Sql.scalar(c, "SELECT count(*) FROM ip_src")).isEqualTo(1);
        assertMaintained(c, "after a failed COMMIT");
      } finally {
        db.execute("ALTER TABLE ip_st DROP CONSTRAINT ip_small");
      }
      // The connection works on.
      assertThat(st.executeUpdate("INSERT INTO ip_src VALUES (4, 2, 5)")).isEqualTo(1);
      assertMaintained(c, "after recovering");
    }
  }
}
