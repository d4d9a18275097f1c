package io.pgtrickle.driver;

import static io.pgtrickle.driver.DifferentialIT.lastAction;
import static io.pgtrickle.driver.FullModeIT.connect;
import static io.pgtrickle.testing.SeedGuide.AGGREGATE_STATE;
import static io.pgtrickle.testing.SeedGuide.AUDIT_LOG_SUMMARY;
import static io.pgtrickle.testing.SeedGuide.BY_PRODUCT;
import static io.pgtrickle.testing.SeedGuide.BY_REGION;
import static io.pgtrickle.testing.SeedGuide.CUSTOMERS_CURRENT;
import static io.pgtrickle.testing.SeedGuide.CUSTOMER_360;
import static io.pgtrickle.testing.SeedGuide.DAILY_ANALYTICS;
import static io.pgtrickle.testing.SeedGuide.DAILY_TOTALS;
import static io.pgtrickle.testing.SeedGuide.ERROR_STATES;
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
import static io.pgtrickle.testing.SeedGuide.schedule;
import static io.pgtrickle.testing.SeedGuide.streamTableName;
import static io.pgtrickle.testing.SeedGuide.writeCustomerHistory;
import static io.pgtrickle.testing.SeedGuide.writeCustomers;
import static io.pgtrickle.testing.SeedGuide.writeOrders;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.testing.PgTest;
import io.pgtrickle.testing.SeedGuide;
import io.pgtrickle.testing.Sql;
import io.pgtrickle.testing.StreamTableOracle;
import io.pgtrickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The SQL of the best-practice patterns guide, run as users paste it: source tables and {@code
 * create_stream_table} calls verbatim, then seeded random writes, and after every refresh the
 * stream table equals a fresh run of its query and the refresh was incremental.
 *
 * <p>Replay a failure with {@code -Dpgtrickle.seed=N}.
 */
@PgTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SeedPatternsIT {
  private static final long SEED = Long.getLong("pgtrickle.seed", System.nanoTime());
  private static final int ROUNDS = 8;

  @BeforeAll
  static void schema(TestDatabase db) throws SQLException {
    SeedGuide.createSources(db);
  }

  @Test
  @Order(1)
  void pattern1BronzeSilverGold(TestDatabase db) throws SQLException {
    // Silver before gold: user_purchase_summary reads events_cleaned.
    runExamples(db, 1, List.of(EVENTS_CLEANED, USER_PURCHASE_SUMMARY), SeedGuide::writeRawEvents);
  }

  @Test
  @Order(2)
  void pattern2EventSourcing(TestDatabase db) throws SQLException {
    runExamples(db, 2, List.of(AGGREGATE_STATE, HOURLY_EVENT_COUNTS), SeedGuide::writeEvents);
  }

  @Test
  @Order(3)
  void pattern3SlowlyChangingDimensions(TestDatabase db) throws SQLException {
    runExamples(
        db,
        3,
        List.of(CUSTOMER_360, CUSTOMERS_CURRENT),
        (st, r) -> {
          writeCustomers(st, r);
          writeOrders(st, r);
          writeCustomerHistory(st, r);
        });
  }

  @Test
  @Order(4)
  void pattern4HighFanOut(TestDatabase db) throws SQLException {
    runExamples(
        db, 4, List.of(DAILY_TOTALS, BY_REGION, BY_PRODUCT, TOP_CUSTOMERS), SeedGuide::writeOrders);
  }

  /**
   * order_monitor's {@code WHERE order_date >= CURRENT_DATE} depends on the day: like any
   * incrementally maintained filter on a time-dependent expression, it is re-evaluated only for
   * rows that change, so yesterday's orders would stay in the stream table after midnight until
   * they are touched. Within one run (which does not cross midnight) the oracle holds exactly.
   */
  @Test
  @Order(5)
  void pattern5RealTimeDashboards(TestDatabase db) throws SQLException {
    runExamples(db, 5, List.of(ORDER_MONITOR), SeedGuide::writeOrders);

    try (Connection c = connect(db);
        Statement st = c.createStatement()) {
      st.execute(LIVE_COUNTER);
      assertThat(
              Sql.string(
                  c,
                  "SELECT effective_refresh_mode FROM pgtrickle.pgt_stream_tables"
                      + " WHERE pgt_name = 'live_counter'"))
          .isEqualTo("IMMEDIATE");
      String query =
          "SELECT region, COUNT(*) AS cnt, SUM(amount) AS total FROM orders GROUP BY region";
      SplittableRandom r = new SplittableRandom(5);
      // Autocommit: every write is visible in live_counter when the statement returns.
      for (int i = 0; i < 20; i++) {
        writeOrders(st, r);
        StreamTableOracle.assertMatchesQuery(c, "live_counter", query);
      }
      // In a transaction: read-your-writes before commit, and a rollback undoes the maintenance.
      c.setAutoCommit(false);
      for (int i = 0; i < 5; i++) {
        writeOrders(st, r);
        StreamTableOracle.assertMatchesQuery(c, "live_counter", query);
      }
      c.rollback();
      StreamTableOracle.assertMatchesQuery(c, "live_counter", query);
      c.setAutoCommit(true);
    }
  }

  @Test
  @Order(6)
  void pattern6TieredRefresh(TestDatabase db) throws SQLException {
    List<String> calls = List.of(LIVE_METRICS, HOURLY_REPORT, DAILY_ANALYTICS, AUDIT_LOG_SUMMARY);
    try (Connection c = connect(db);
        Statement st = c.createStatement()) {
      for (String call : calls) {
        st.execute(call);
      }
      for (String statement : TIER_STATEMENTS) {
        st.execute(statement);
      }
      assertThat(catalog(c, "live_metrics", "refresh_tier")).isEqualTo("hot");
      assertThat(catalog(c, "hourly_report", "refresh_tier")).isEqualTo("warm");
      assertThat(catalog(c, "daily_analytics", "refresh_tier")).isEqualTo("cold");
      assertThat(catalog(c, "audit_log_summary", "refresh_tier")).isEqualTo("frozen");
      assertThat(catalog(c, "hourly_report", "schedule")).isEqualTo("1m");
      assertThat(catalog(c, "daily_analytics", "schedule")).isEqualTo("5m");

      // Frozen means the scheduler skips it; a manual refresh still works, incrementally.
      SplittableRandom random = new SplittableRandom(SEED + 6);
      String query = definingQuery(AUDIT_LOG_SUMMARY);
      for (int round = 0; round < 3; round++) {
        writeOrders(st, random);
        refreshAndCheck(c, "audit_log_summary", query, "pattern 6, round " + round);
      }
      assertThat(catalog(c, "audit_log_summary", "refresh_tier")).isEqualTo("frozen");
      assertThat(errorStates(c)).isEmpty();
    }
  }

  /** The monitoring checklist's error-state query runs as written and finds what it should. */
  @Test
  @Order(7)
  void errorStateQueryFindsOnlyUnhealthyStreamTables(TestDatabase db) throws SQLException {
    try (Connection c = connect(db);
        Statement st = c.createStatement()) {
      // After the patterns above every stream table is healthy.
      assertThat(errorStates(c)).isEmpty();
      st.execute(
          "SELECT pgtrickle.create_stream_table('suspended_probe',"
              + " 'SELECT region, count(*) AS n FROM orders GROUP BY region')");
      st.execute("SELECT pgtrickle.alter_stream_table('suspended_probe', status => 'SUSPENDED')");
      assertThat(errorStates(c)).containsExactly("suspended_probe SUSPENDED null");
      st.execute("SELECT pgtrickle.resume_stream_table('suspended_probe')");
      assertThat(errorStates(c)).isEmpty();
      st.execute("SELECT pgtrickle.drop_stream_table('suspended_probe')");
    }
  }

  /** A source-writing step of one round: a few random statements. */
  private interface Writes {
    void apply(Statement st, SplittableRandom r) throws SQLException;
  }

  /**
   * Creates the stream tables with the guide's calls (in dependency order), checks them, then runs
   * rounds of random writes, each followed by refreshes in that order, checking after every one.
   */
  private static void runExamples(
      TestDatabase db, int pattern, List<String> createCalls, Writes writes) throws SQLException {
    long seed = SEED + pattern;
    SplittableRandom random = new SplittableRandom(seed);
    Map<String, Integer> differential = new LinkedHashMap<>();
    try (Connection c = connect(db);
        Statement st = c.createStatement()) {
      for (String call : createCalls) {
        String name = streamTableName(call);
        st.execute(call);
        assertThat(catalog(c, name, "refresh_mode")).isEqualTo("DIFFERENTIAL");
        assertThat(catalog(c, name, "effective_refresh_mode")).isEqualTo("DIFFERENTIAL");
        assertThat(catalog(c, name, "schedule")).isEqualTo(schedule(call));
        check(c, name, definingQuery(call), "pattern " + pattern + ", after create");
        differential.put(name, 0);
      }
      for (int round = 0; round < ROUNDS; round++) {
        int statements = 2 + random.nextInt(4);
        for (int i = 0; i < statements; i++) {
          writes.apply(st, random);
        }
        for (String call : createCalls) {
          String name = streamTableName(call);
          String when = "pattern " + pattern + ", round " + round;
          if (refreshAndCheck(c, name, definingQuery(call), when)) {
            differential.merge(name, 1, Integer::sum);
          }
        }
      }
      // A run of NO_DATA refreshes would prove nothing.
      assertThat(differential)
          .as("differential refreshes per stream table (replay with -Dpgtrickle.seed=%s)", SEED)
          .allSatisfy((name, count) -> assertThat(count).as(name).isPositive());
      assertThat(errorStates(c)).isEmpty();
    }
  }

  /** Refreshes, checks the oracle and the action; true if the refresh was DIFFERENTIAL. */
  private static boolean refreshAndCheck(Connection c, String name, String query, String when)
      throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("SELECT pgtrickle.refresh_stream_table('" + name + "')");
    }
    String action = lastAction(c, name);
    assertThat(action)
        .as("refresh action of %s, %s (replay with -Dpgtrickle.seed=%s)", name, when, SEED)
        .isIn("DIFFERENTIAL", "NO_DATA");
    check(c, name, query, when);
    return action.equals("DIFFERENTIAL");
  }

  private static void check(Connection c, String name, String query, String when) {
    try {
      StreamTableOracle.assertMatchesQuery(c, name, query);
    } catch (AssertionError | SQLException e) {
      throw new AssertionError(
          name + " " + when + " (replay with -Dpgtrickle.seed=" + SEED + "): " + e.getMessage(), e);
    }
  }

  private static String catalog(Connection c, String name, String column) throws SQLException {
    return Sql.string(
        c,
        "SELECT " + column + " FROM pgtrickle.pgt_stream_tables WHERE pgt_name = '" + name + "'");
  }

  /** The error-state query's rows as "name status last_error_message". */
  private static List<String> errorStates(Connection c) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(ERROR_STATES)) {
      while (rs.next()) {
        rows.add(rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3));
      }
    }
    return rows;
  }
}
