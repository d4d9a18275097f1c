package io.pgtrickle.engine.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtrickle.testing.PgTest;
import io.pgtrickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * The engine's statements leave no named server-side statement behind, whatever the connection's
 * {@code prepareThreshold}: through a transaction-pooling PgBouncer (the PgBouncer leg) such a
 * statement would be gone, or on another server connection, by the next transaction.
 */
@PgTest
class JdbcSqlSessionIT {

  @Test
  void repeatedStatementsAreNeverPreparedByName(TestDatabase db) throws SQLException {
    Properties props = db.properties();
    props.setProperty("prepareThreshold", "5"); // pgjdbc's default, as an application may leave it
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), props)) {
      SqlSession s = new JdbcSqlSession(c);
      for (int i = 0; i < 12; i++) {
        // By hand: pgjdbc's own BEGIN and COMMIT are named statements at this prepareThreshold,
        // which is why applications behind PgBouncer set it to 0 (and the scheduler's pool does).
        s.rawUpdate("BEGIN");
        assertThat(s.queryOne("SELECT ?::int + 1", i).longValue(0)).isEqualTo(i + 1);
        assertThat(
                s.update(
                    "UPDATE pg_catalog.pg_class SET relname = relname WHERE false AND ?", true))
            .isZero();
        // On the same server connection as the statements above: they are in one transaction.
        assertThat(s.queryOne("SELECT count(*) FROM pg_prepared_statements").longValue(0))
            .as("named statements after %d runs", i + 1)
            .isZero();
        s.rawUpdate("COMMIT");
      }
    }
  }

  @Test
  void updateAllRunsEveryStatementInOrderWithItsOwnParameters(TestDatabase db) throws SQLException {
    Properties props = db.properties();
    props.setProperty("prepareThreshold", "5");
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), props)) {
      SqlSession s = new JdbcSqlSession(c);
      s.rawUpdate("CREATE TABLE batch_target (n int, label text)");
      for (int round = 0; round < 7; round++) {
        s.rawUpdate("BEGIN"); // by hand, as above: pgjdbc's own BEGIN is named at this threshold
        s.updateAll(
            List.of(
                SqlSession.Update.of("INSERT INTO batch_target VALUES (?::int, ?)", 1, "one"),
                SqlSession.Update.of("INSERT INTO batch_target VALUES (?::int, ?)", 2, null),
                SqlSession.Update.of("UPDATE batch_target SET n = n * ?::int", 10),
                SqlSession.Update.of("INSERT INTO batch_target VALUES (3, ?)", "th;ree")));
        assertThat(s.queryOne("SELECT count(*) FROM pg_prepared_statements").longValue(0))
            .as("named statements after %d batches", round + 1)
            .isZero();
        assertThat(
                s.query("SELECT n, coalesce(label, '<null>') FROM batch_target ORDER BY n").stream()
                    .map(r -> r.text(0) + ":" + r.text(1))
                    .toList())
            .containsExactly("3:th;ree", "10:one", "20:<null>");
        s.rawUpdate("ROLLBACK");
      }
    }
  }

  @Test
  void updateAllStopsAtTheFirstErrorAndReportsIt(TestDatabase db) throws SQLException {
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.properties())) {
      SqlSession s = new JdbcSqlSession(c);
      s.rawUpdate("CREATE TABLE batch_errors (n int PRIMARY KEY)");
      s.begin();
      assertThatThrownBy(
              () ->
                  s.updateAll(
                      List.of(
                          SqlSession.Update.of("INSERT INTO batch_errors VALUES (1)"),
                          SqlSession.Update.of("INSERT INTO batch_errors VALUES (?::int)", 1),
                          SqlSession.Update.of("INSERT INTO batch_errors VALUES (2)"))))
          .isInstanceOf(SQLException.class)
          .extracting(e -> ((SQLException) e).getSQLState())
          .isEqualTo("23505");
      s.rollback();
      assertThat(s.queryOne("SELECT count(*) FROM batch_errors").longValue(0)).isZero();
    }
  }
}
