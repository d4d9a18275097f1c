package io.pgtrickle.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtrickle.testing.PgTest;
import io.pgtrickle.testing.ScheduledRefreshes;
import io.pgtrickle.testing.Sql;
import io.pgtrickle.testing.StreamTableOracle;
import io.pgtrickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** The driver's embedded scheduler: on by URL property, off when switched off. */
@PgTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EmbeddedSchedulerIT {

  @AfterAll
  static void stopScheduler(TestDatabase db) {
    EmbeddedSchedulers.stop(db.jdbcUrl());
  }

  @Test
  @Order(1)
  void switchedOffStartsNoScheduler(TestDatabase db) throws SQLException {
    try (Connection c = DriverManager.getConnection(db.pgTrickleUrl(), db.properties())) {
      assertThat(c.isValid(1)).isTrue();
    }
    assertThat(db.properties().getProperty("pgtrickle.scheduler")).isEqualTo("false");
    assertThat(EmbeddedSchedulers.running(db.jdbcUrl())).isFalse();
  }

  @Test
  @Order(2)
  void invalidWorkerCountIsRefusedNamingTheProperty(TestDatabase db) {
    Properties props = db.properties();
    props.setProperty("pgtrickle.scheduler", "true");
    assertThatThrownBy(
            () ->
                DriverManager.getConnection(
                    db.pgTrickleUrl() + "?pgtrickle.schedulerWorkers=0", props))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("pgtrickle.schedulerWorkers")
        .extracting(e -> ((SQLException) e).getSQLState())
        .isEqualTo("22023");
    assertThat(EmbeddedSchedulers.running(db.jdbcUrl())).isFalse();
  }

  @Test
  @Order(3)
  void switchedOnRefreshesOnTheSchedule(TestDatabase db) throws Exception {
    Properties props = db.properties();
    props.setProperty("pgtrickle.scheduler", "true");
    String q = "SELECT kind, count(*) AS n FROM hits GROUP BY kind";
    try (Connection c =
            DriverManager.getConnection(
                db.pgTrickleUrl() + "?pgtrickle.schedulerWorkers=2", props);
        Statement st = c.createStatement()) {
      assertThat(EmbeddedSchedulers.running(db.jdbcUrl())).isTrue();
      st.execute("CREATE TABLE hits (id int PRIMARY KEY, kind text)");
      st.execute(
          "SELECT pgtrickle.create_stream_table('hit_counts', $$"
              + q
              + "$$, schedule => '1s', refresh_mode => 'DIFFERENTIAL')");
      st.execute("INSERT INTO hits SELECT g, 'k' || (g % 5) FROM generate_series(1, 100) g");
      ScheduledRefreshes.awaitAfter(c, "public.hit_counts", ScheduledRefreshes.now(c), 1);
      StreamTableOracle.assertMatchesQuery(c, "hit_counts", q);
      assertThat(Sql.scalar(c, "SELECT sum(n) FROM hit_counts")).isEqualTo(100);
    }
  }
}
