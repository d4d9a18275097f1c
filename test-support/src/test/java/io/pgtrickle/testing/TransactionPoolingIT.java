package io.pgtrickle.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The PgBouncer leg's fixture ({@code -Dpgtrickle.pgbouncer=true}) is what it claims: clients go
 * through a transaction-pooling PgBouncer, and whatever a transaction leaves in its session is gone
 * by the next one, so that code relying on session state fails there rather than passing by luck.
 * Skipped when the run goes to the server directly.
 */
@PgTest
class TransactionPoolingIT {

  @BeforeAll
  static void onlyThroughPgBouncer(TestDatabase db) {
    assumeTrue(db.throughPgBouncer(), "this run connects directly (-Dpgtrickle.pgbouncer unset)");
  }

  @Test
  void clientsReachTheServerThroughPgBouncer(TestDatabase db) throws SQLException {
    try (Connection viaBouncer = db.connect();
        Connection direct = db.connectDirect()) {
      long serverPort = Sql.scalar(direct, "SELECT inet_server_port()");
      assertThat(db.port()).isNotEqualTo((int) serverPort);
      assertThat(Sql.string(viaBouncer, "SELECT current_database()")).isEqualTo(db.databaseName());
      // PgBouncer answers SHOW's it knows only on its own console; the server answers this one.
      assertThat(Sql.scalar(viaBouncer, "SELECT inet_server_port()")).isEqualTo(serverPort);
    }
    assertThat(db.properties().getProperty("prepareThreshold")).isEqualTo("0");
  }

  @Test
  void settingsDoNotOutliveTheirTransaction(TestDatabase db) throws SQLException {
    try (Connection c = db.connect();
        Statement st = c.createStatement()) {
      String usual = Sql.string(c, "SHOW work_mem");
      st.execute("SET work_mem = '7777kB'");
      assertThat(Sql.string(c, "SHOW work_mem")).isEqualTo(usual);
    }
  }

  @Test
  void temporaryTablesDoNotOutliveTheirTransaction(TestDatabase db) throws SQLException {
    try (Connection c = db.connect();
        Statement st = c.createStatement()) {
      st.execute("CREATE TEMP TABLE pgb_scratch (x int)");
      assertThatExceptionOfType(SQLException.class)
          .isThrownBy(() -> st.execute("INSERT INTO pgb_scratch VALUES (1)"))
          .satisfies(e -> assertThat(e.getSQLState()).isEqualTo("42P01"));
    }
  }

  @Test
  void sessionAdvisoryLocksDoNotOutliveTheirTransaction(TestDatabase db) throws Exception {
    try (Connection c = db.connect();
        Connection direct = db.connectDirect()) {
      Sql.column(c, "SELECT pg_advisory_lock(4242)");
      // PgBouncer cleans the server connection after handing it back, so wait for that; held by a
      // session of its own, the lock would stay as long as c is open.
      String held = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242";
      Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
      while (Sql.scalar(direct, held) > 0) {
        assertThat(Instant.now()).as("session advisory lock still held").isBefore(deadline);
        Thread.sleep(20);
      }
    }
  }

  @Test
  void namedServerSideStatementsDoNotOutliveTheirTransaction(TestDatabase db) throws SQLException {
    Properties props = db.properties();
    props.setProperty("prepareThreshold", "1");
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), props);
        PreparedStatement ps = c.prepareStatement("SELECT ?::int + 1")) {
      // pgjdbc prepares S_1 in one transaction and binds it in the next: on a server connection
      // that has been cleaned since. (In autocommit pgjdbc quietly prepares it again.)
      c.setAutoCommit(false);
      assertThatExceptionOfType(SQLException.class)
          .isThrownBy(
              () -> {
                for (int i = 0; i < 5; i++) {
                  ps.setInt(1, i);
                  ps.executeQuery().close();
                  c.commit();
                }
              })
          .satisfies(e -> assertThat(e.getSQLState()).isEqualTo("26000")); // no such statement
    }
  }

  @Test
  void rolesCreatedByTestsCanLogInThroughPgBouncer(TestDatabase db) throws SQLException {
    String role = db.createRole("carol", "secret 1");
    try (Connection c = db.connect(role, "secret 1")) {
      assertThat(Sql.string(c, "SELECT current_user")).isEqualTo(role);
    }
  }
}
