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
    assertThatThrownBy(
            () ->
                DriverManager.getConnection(
                    db.pgTrickleUrl() + "?pgtrickle.schedulerTick=soon", props))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("invalid value for pgtrickle.schedulerTick: 'soon'")
        .extracting(e -> ((SQLException) e).getSQLState())
        .isEqualTo("22023");
    assertThat(EmbeddedSchedulers.running(db.jdbcUrl())).isFalse();
  }

  @Test
  @Order(3)
  void switchedOnRefreshesOnTheScheduleWithTheUrlsSettings(TestDatabase db) throws Exception {
    Properties props = db.properties();
    props.setProperty("pgtrickle.scheduler", "true");
    String q = "SELECT kind, count(*) AS n FROM hits GROUP BY kind";
    String settings =
        "?pgtrickle.schedulerWorkers=2&pgtrickle.schedulerTick=200ms"
            + "&pgtrickle.schedulerMaxConsecutiveErrors=1&pgtrickle.schedulerBackoff=100ms";
    try (Connection c = DriverManager.getConnection(db.pgTrickleUrl() + settings, props);
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

      // schedulerMaxConsecutiveErrors=1: the first failure suspends (the default waits for 3).
      st.execute("CREATE TABLE feed (id int)");
      st.execute(
          "SELECT pgtrickle.create_stream_table('feed_copy', $$SELECT id FROM feed$$,"
              + " schedule => '1s', refresh_mode => 'FULL')");
      st.execute("DROP TABLE feed");
      for (int i = 0; i < 600 && !suspended(c, "feed_copy"); i++) {
        Thread.sleep(100);
      }
      assertThat(
              Sql.string(
                  c,
                  "SELECT status || ' ' || consecutive_errors FROM pgtrickle.pgt_stream_tables"
                      + " WHERE pgt_name = 'feed_copy'"))
          .isEqualTo("SUSPENDED 1");
    }
  }

  private static boolean suspended(Connection c, String name) throws SQLException {
    return Sql.string(
            c, "SELECT status FROM pgtrickle.pgt_stream_tables WHERE pgt_name = '" + name + "'")
        .equals("SUSPENDED");
  }
}
