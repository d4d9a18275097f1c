package io.pgtrickle.server;

import static io.pgtrickle.testing.SeedGuide.AGGREGATE_STATE;
import static io.pgtrickle.testing.SeedGuide.AUDIT_LOG_SUMMARY;
import static io.pgtrickle.testing.SeedGuide.BY_PRODUCT;
import static io.pgtrickle.testing.SeedGuide.BY_REGION;
import static io.pgtrickle.testing.SeedGuide.CUSTOMERS_CURRENT;
import static io.pgtrickle.testing.SeedGuide.CUSTOMER_360;
import static io.pgtrickle.testing.SeedGuide.DAILY_ANALYTICS;
import static io.pgtrickle.testing.SeedGuide.DAILY_TOTALS;
import static io.pgtrickle.testing.SeedGuide.EVENTS_CLEANED;
import static io.pgtrickle.testing.SeedGuide.HOURLY_EVENT_COUNTS;
import static io.pgtrickle.testing.SeedGuide.HOURLY_REPORT;
import static io.pgtrickle.testing.SeedGuide.LIVE_COUNTER;
import static io.pgtrickle.testing.SeedGuide.LIVE_METRICS;
import static io.pgtrickle.testing.SeedGuide.ORDER_MONITOR;
import static io.pgtrickle.testing.SeedGuide.TIER_STATEMENTS;
import static io.pgtrickle.testing.SeedGuide.TOP_CUSTOMERS;
import static io.pgtrickle.testing.SeedGuide.USER_PURCHASE_SUMMARY;
import static io.pgtrickle.testing.SeedGuide.definingQuery;
import static io.pgtrickle.testing.SeedGuide.streamTableName;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.engine.catalog.CatalogMigrator;
import io.pgtrickle.engine.scheduler.Scheduler;
import io.pgtrickle.engine.scheduler.SchedulerConfig;
import io.pgtrickle.engine.session.JdbcSqlSession;
import io.pgtrickle.server.ClientProcess.Result;
import io.pgtrickle.testing.PgTest;
import io.pgtrickle.testing.ScheduledRefreshes;
import io.pgtrickle.testing.SeedGuide;
import io.pgtrickle.testing.Sql;
import io.pgtrickle.testing.StreamTableOracle;
import io.pgtrickle.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every example of the patterns guide that sets a schedule or a tier, pasted into psql through the
 * proxy as written, with a scheduler running as the proxy runs it: after one round of writes each
 * scheduled stream table refreshes itself, incrementally, and equals its query; the calculated one
 * follows its source; the IMMEDIATE one is current at once; the tiers are recorded, a frozen stream
 * table is left alone by the scheduler and a manual refresh of it still works.
 *
 * <p>Replay a failure with {@code -Dpgtrickle.seed=N}.
 */
@PgTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProxySeedSchedulesIT {
  private static final long SEED = Long.getLong("pgtrickle.seed", System.nanoTime());

  /** Patterns 1 to 5 in dependency order: silver before gold, orders' readers after orders. */
  private static final List<String> SCHEDULED =
      List.of(
          EVENTS_CLEANED,
          USER_PURCHASE_SUMMARY,
          AGGREGATE_STATE,
          HOURLY_EVENT_COUNTS,
          CUSTOMER_360,
          CUSTOMERS_CURRENT,
          DAILY_TOTALS,
          BY_REGION,
          BY_PRODUCT,
          TOP_CUSTOMERS,
          ORDER_MONITOR);

  private static TestProxy proxy;
  private static Scheduler scheduler;

  @TempDir Path work;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    try (Connection c = db.connect()) {
      CatalogMigrator.migrate(new JdbcSqlSession(c));
    }
    SeedGuide.createSources(db);
    proxy = TestProxy.start(db);
    // What the proxy's main runs beside the server (Main.startScheduler), with a short tick.
    scheduler =
        Scheduler.startPooled(
            db.jdbcUrl(),
            db.properties(),
            SchedulerConfig.DEFAULTS.withWorkers(2).withTick(Duration.ofMillis(200)));
  }

  @AfterAll
  static void stop() {
    if (scheduler != null) {
      scheduler.close();
    }
    if (proxy != null) {
      proxy.close();
    }
  }

  @Test
  @Order(1)
  void scheduledExamplesRefreshThemselves(TestDatabase db) throws Exception {
    List<String> calls = new ArrayList<>(SCHEDULED);
    calls.add(LIVE_COUNTER);
    psql(db, String.join("\n", calls));

    String marker;
    SplittableRandom r = new SplittableRandom(SEED);
    try (Connection c = proxy.connect();
        Statement st = c.createStatement()) {
      for (int i = 0; i < 6; i++) {
        SeedGuide.writeRawEvents(st, r);
        SeedGuide.writeEvents(st, r);
        SeedGuide.writeCustomers(st, r);
        SeedGuide.writeCustomerHistory(st, r);
        SeedGuide.writeOrders(st, r);
      }
      // After the writes: a refresh that started later has seen all of them.
      marker = ScheduledRefreshes.now(c);
      check(c, "live_counter", definingQuery(LIVE_COUNTER));
    }
    try (Connection c = db.connectDirect()) {
      for (String call : SCHEDULED) {
        String name = streamTableName(call);
        // A stream table over stream tables (user_purchase_summary over events_cleaned) refreshes
        // on its own schedule, so one that started after the writes may still have read its
        // upstream before the upstream's own refresh took them in. Its upstreams come earlier in
        // the guide and have been awaited by now: a refresh that starts from here reads them whole.
        String after = readsStreamTables(c, name) ? ScheduledRefreshes.now(c) : marker;
        ScheduledRefreshes.awaitAfter(c, "public." + name, after, 1);
        check(c, name, definingQuery(call));
      }
      assertThat(
              Sql.column(
                  c,
                  "SELECT DISTINCT s.pgt_name || ' ' || h.action"
                      + " FROM pgtrickle.pgt_refresh_history h JOIN pgtrickle.pgt_stream_tables s"
                      + " USING (pgt_id) WHERE h.initiated_by = 'SCHEDULER'"
                      + " AND h.start_time > '"
                      + marker
                      + "'::timestamptz AND h.action NOT IN ('DIFFERENTIAL', 'NO_DATA')"))
          .as("scheduled refreshes that were not incremental (seed %s)", SEED)
          .isEmpty();
      assertThat(
              Sql.column(
                  c,
                  "SELECT pgt_name || ' ' || coalesce(schedule, '-') FROM pgtrickle.pgt_stream_tables"
                      + " WHERE pgt_name IN ('events_cleaned', 'user_purchase_summary',"
                      + " 'customer_360', 'live_counter') ORDER BY pgt_name"))
          .containsExactly(
              "customer_360 30s",
              "events_cleaned 5s",
              "live_counter -",
              "user_purchase_summary calculated");
    }
  }

  @Test
  @Order(2)
  void tiersAreRecordedAndFrozenIsLeftToManualRefresh(TestDatabase db) throws Exception {
    // The guide elides pattern 6's queries; SeedGuide fills them in. The tier calls are verbatim.
    List<String> script =
        new ArrayList<>(List.of(LIVE_METRICS, HOURLY_REPORT, DAILY_ANALYTICS, AUDIT_LOG_SUMMARY));
    script.addAll(TIER_STATEMENTS);
    psql(db, String.join("\n", script));
    try (Connection c = proxy.connect();
        Statement st = c.createStatement()) {
      assertThat(
              Sql.column(
                  c,
                  "SELECT pgt_name || ' ' || refresh_tier || ' ' || coalesce(schedule, '-')"
                      + " FROM pgtrickle.pgt_stream_tables WHERE pgt_name IN ('live_metrics',"
                      + " 'hourly_report', 'daily_analytics', 'audit_log_summary')"
                      + " ORDER BY pgt_name"))
          .containsExactly(
              "audit_log_summary frozen calculated",
              "daily_analytics cold 5m",
              "hourly_report warm 1m",
              "live_metrics hot calculated");

      SplittableRandom r = new SplittableRandom(SEED + 6);
      for (int i = 0; i < 4; i++) {
        SeedGuide.writeOrders(st, r);
      }
      String marker = ScheduledRefreshes.now(c);
      // live_metrics is calculated and nothing reads it: refreshed within the default 1s.
      ScheduledRefreshes.awaitAfter(c, "public.live_metrics", marker, 1);
      check(c, "live_metrics", definingQuery(LIVE_METRICS));
      Thread.sleep(1000); // five more ticks
      assertThat(
              Sql.scalar(
                  c,
                  "SELECT count(*) FROM pgtrickle.pgt_refresh_history h"
                      + " JOIN pgtrickle.pgt_stream_tables s USING (pgt_id)"
                      + " WHERE s.pgt_name = 'audit_log_summary' AND h.start_time > '"
                      + marker
                      + "'::timestamptz"))
          .as("the scheduler leaves a frozen stream table alone")
          .isZero();
      st.execute("SELECT pgtrickle.refresh_stream_table('audit_log_summary')");
      assertThat(
              Sql.string(
                  c,
                  "SELECT h.action FROM pgtrickle.pgt_refresh_history h"
                      + " JOIN pgtrickle.pgt_stream_tables s USING (pgt_id)"
                      + " WHERE s.pgt_name = 'audit_log_summary'"
                      + " ORDER BY h.refresh_id DESC LIMIT 1"))
          .isEqualTo("DIFFERENTIAL");
      check(c, "audit_log_summary", definingQuery(AUDIT_LOG_SUMMARY));
    }
  }

  private void psql(TestDatabase db, String script) throws Exception {
    Files.writeString(work.resolve("guide.sql"), script);
    Result r =
        ClientProcess.psql(
            db,
            proxy.host(),
            proxy.port(),
            work,
            Map.of(),
            List.of("-A", "-v", "ON_ERROR_STOP=1", "-f", "guide.sql"));
    assertThat(r.exitCode()).as("%s", r).isZero();
  }

  private static boolean readsStreamTables(Connection c, String name) throws SQLException {
    return "true"
        .equals(
            Sql.string(
                c,
                "SELECT EXISTS (SELECT 1 FROM pgtrickle.pgt_dependencies d"
                    + " JOIN pgtrickle.pgt_stream_tables s USING (pgt_id)"
                    + " WHERE s.pgt_name = '"
                    + name
                    + "' AND d.source_type = 'STREAM_TABLE')::text"));
  }

  private static void check(Connection c, String name, String query) throws SQLException {
    try {
      StreamTableOracle.assertMatchesQuery(c, name, query);
    } catch (AssertionError e) {
      throw new AssertionError(name + " (replay with -Dpgtrickle.seed=" + SEED + "): " + e, e);
    }
  }
}
