package io.pgtrickle.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.pgtrickle.server.protocol.LeakCheckExtension;
import io.pgtrickle.testing.PgTest;
import io.pgtrickle.testing.Sql;
import io.pgtrickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The proxy does not maintain IMMEDIATE stream tables yet, so it refuses to create them rather than
 * create a table that its writers would leave stale.
 */
@PgTest
@ExtendWith(LeakCheckExtension.class)
class ProxyImmediateIT {
  private static TestProxy proxy;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    proxy = TestProxy.start(db);
    db.execute("CREATE TABLE imm_src (id int PRIMARY KEY, v int)");
  }

  @AfterAll
  static void stop() {
    proxy.close();
  }

  @Test
  void immediateIsRefusedWithAHintAndNothingIsCreated() throws SQLException {
    try (Connection c = proxy.connect();
        Statement st = c.createStatement()) {
      for (String call :
          new String[] {
            "SELECT pgtrickle.create_stream_table('imm_st', $$SELECT sum(v) AS s FROM imm_src$$,"
                + " refresh_mode => 'IMMEDIATE')",
            "SELECT pgtrickle.create_stream_table('imm_st', $$SELECT sum(v) AS s FROM imm_src$$,"
                + " schedule => 'IMMEDIATE')"
          }) {
        SQLException e = catchThrowableOfType(SQLException.class, () -> st.execute(call));
        assertThat(e.getSQLState()).isEqualTo("0A000");
        assertThat(e.getMessage()).contains("IMMEDIATE").contains("imm_st");
      }
      assertThat(Sql.string(c, "SELECT to_regclass('imm_st') IS NULL")).isEqualTo("t");
      // DIFFERENTIAL on the same query works, and cannot be switched to IMMEDIATE here either.
      st.execute(
          "SELECT pgtrickle.create_stream_table('imm_st', $$SELECT sum(v) AS s FROM imm_src$$,"
              + " refresh_mode => 'DIFFERENTIAL')");
      SQLException e =
          catchThrowableOfType(
              SQLException.class,
              () ->
                  st.execute(
                      "SELECT pgtrickle.alter_stream_table('imm_st', refresh_mode =>"
                          + " 'IMMEDIATE')"));
      assertThat(e.getSQLState()).isEqualTo("0A000");
      assertThat(
              Sql.string(
                  c,
                  "SELECT effective_refresh_mode FROM pgtrickle.pgt_stream_tables"
                      + " WHERE pgt_name = 'imm_st'"))
          .isEqualTo("DIFFERENTIAL");
    }
  }
}
