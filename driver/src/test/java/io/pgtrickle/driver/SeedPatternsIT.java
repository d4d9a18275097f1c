package io.pgtrickle.driver;

import static io.pgtrickle.driver.DifferentialIT.lastAction;
import static io.pgtrickle.driver.FullModeIT.connect;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.testing.PgTest;
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
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
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

  /**
   * Makes every timestamp the writes below produce unique. DISTINCT ON (aggregate_id) ORDER BY
   * created_at DESC has no single right answer when two events of an aggregate tie, so the seed
   * rows sit on whole minutes and every written row gets a distinct non-zero microsecond offset
   * ({@code STAMP * 1s + row number µs}) within its hour.
   */
  private static final AtomicLong STAMP = new AtomicLong();

  // Source tables, verbatim from the guide.

  private static final String RAW_EVENTS =
      """
      CREATE TABLE raw_events (
      event_id BIGSERIAL PRIMARY KEY,
      user_id INT NOT NULL,
      event_type TEXT NOT NULL,
      payload JSONB,
      received_at TIMESTAMPTZ NOT NULL DEFAULT now()
      );
      """;

  private static final String EVENTS =
      """
      CREATE TABLE events (
      event_id BIGSERIAL PRIMARY KEY,
      aggregate_id UUID NOT NULL,
      event_type TEXT NOT NULL,
      payload JSONB NOT NULL,
      created_at TIMESTAMPTZ NOT NULL DEFAULT now()
      );
      """;

  private static final String CUSTOMERS =
      """
      CREATE TABLE customers (
      customer_id INT PRIMARY KEY,
      name TEXT NOT NULL,
      email TEXT,
      tier TEXT DEFAULT 'standard',
      updated_at TIMESTAMPTZ DEFAULT now()
      );
      """;

  private static final String CUSTOMER_HISTORY =
      """
      CREATE TABLE customer_history (
      customer_id INT NOT NULL,
      name TEXT NOT NULL,
      tier TEXT NOT NULL,
      valid_from TIMESTAMPTZ NOT NULL,
      valid_to TIMESTAMPTZ, -- NULL = current
      PRIMARY KEY (customer_id, valid_from)
      );
      """;

  private static final String ORDERS =
      """
      CREATE TABLE orders (
      id SERIAL PRIMARY KEY,
      customer_id INT NOT NULL,
      region TEXT NOT NULL,
      product_id INT NOT NULL,
      amount NUMERIC(10,2) NOT NULL,
      order_date DATE NOT NULL DEFAULT CURRENT_DATE
      );
      """;

  // Pattern 1: Bronze / Silver / Gold, verbatim.

  private static final String EVENTS_CLEANED =
      """
      SELECT pgtrickle.create_stream_table(
      'events_cleaned',
      $$SELECT DISTINCT ON (event_id)
      event_id,
      user_id,
      event_type,
      (payload->>'amount')::numeric AS amount,
      received_at
      FROM raw_events
      WHERE event_type IN ('purchase', 'refund', 'subscription')$$,
      schedule => '5s',
      refresh_mode => 'DIFFERENTIAL'
      );
      """;

  private static final String USER_PURCHASE_SUMMARY =
      """
      SELECT pgtrickle.create_stream_table(
      'user_purchase_summary',
      $$SELECT user_id,
      COUNT(*) AS total_purchases,
      SUM(amount) AS total_spent,
      AVG(amount) AS avg_order
      FROM events_cleaned
      WHERE event_type = 'purchase'
      GROUP BY user_id$$,
      schedule => 'calculated',
      refresh_mode => 'DIFFERENTIAL'
      );
      """;

  // Pattern 2: Event sourcing, verbatim.

  private static final String AGGREGATE_STATE =
      """
      SELECT pgtrickle.create_stream_table(
      'aggregate_state',
      $$SELECT DISTINCT ON (aggregate_id)
      aggregate_id,
      event_type AS last_event,
      payload AS current_state,
      created_at AS last_updated
      FROM events
      ORDER BY aggregate_id, created_at DESC$$,
      schedule => '2s',
      refresh_mode => 'DIFFERENTIAL'
      );
      """;

  private static final String HOURLY_EVENT_COUNTS =
      """
      SELECT pgtrickle.create_stream_table(
      'hourly_event_counts',
      $$SELECT date_trunc('hour', created_at) AS hour,
      event_type,
      COUNT(*) AS event_count
      FROM events
      GROUP BY 1, 2$$,
      schedule => '10s',
      refresh_mode => 'DIFFERENTIAL'
      );
      """;

  // Pattern 3: Slowly changing dimensions, verbatim.

  private static final String CUSTOMER_360 =
      """
      SELECT pgtrickle.create_stream_table(
      'customer_360',
      $$SELECT c.customer_id,
      c.name,
      c.email,
      c.tier,
      COUNT(o.id) AS total_orders,
      COALESCE(SUM(o.amount), 0) AS lifetime_value
      FROM customers c
      LEFT JOIN orders o ON o.customer_id = c.customer_id
      GROUP BY c.customer_id, c.name, c.email, c.tier$$,
      schedule => '30s',
      refresh_mode => 'DIFFERENTIAL'
      );
      """;

  private static final String CUSTOMERS_CURRENT =
      """
      SELECT pgtrickle.create_stream_table(
      'customers_current',
      $$SELECT customer_id, name, tier, valid_from
      FROM customer_history
      WHERE valid_to IS NULL$$,
      schedule => '10s',
      refresh_mode => 'DIFFERENTIAL'
      );
      """;

  // Pattern 4: High fan-out, verbatim (single-quoted queries, arguments on one line).

  private static final String DAILY_TOTALS =
      """
      SELECT pgtrickle.create_stream_table('daily_totals',
      'SELECT order_date, SUM(amount) AS daily_total, COUNT(*) AS order_count
      FROM orders GROUP BY order_date',
      schedule => '5s', refresh_mode => 'DIFFERENTIAL');
      """;

  private static final String BY_REGION =
      """
      SELECT pgtrickle.create_stream_table('by_region',
      'SELECT region, SUM(amount) AS total, COUNT(*) AS cnt
      FROM orders GROUP BY region',
      schedule => '5s', refresh_mode => 'DIFFERENTIAL');
      """;

  private static final String BY_PRODUCT =
      """
      SELECT pgtrickle.create_stream_table('by_product',
      'SELECT product_id, SUM(amount) AS total, COUNT(*) AS cnt
      FROM orders GROUP BY product_id',
      schedule => '5s', refresh_mode => 'DIFFERENTIAL');
      """;

  private static final String TOP_CUSTOMERS =
      """
      SELECT pgtrickle.create_stream_table('top_customers',
      'SELECT customer_id, SUM(amount) AS lifetime_value, COUNT(*) AS order_count
      FROM orders GROUP BY customer_id',
      schedule => '10s', refresh_mode => 'DIFFERENTIAL');
      """;

  // Pattern 5: Real-time dashboards, verbatim.

  private static final String ORDER_MONITOR =
      """
      SELECT pgtrickle.create_stream_table(
      'order_monitor',
      $$SELECT
      date_trunc('minute', order_date) AS minute,
      region,
      COUNT(*) AS orders,
      SUM(amount) AS revenue
      FROM orders
      WHERE order_date >= CURRENT_DATE
      GROUP BY 1, 2$$,
      schedule => '1s',
      refresh_mode => 'DIFFERENTIAL'
      );
      """;

  private static final String LIVE_COUNTER =
      """
      SELECT pgtrickle.create_stream_table(
      'live_counter',
      $$SELECT region, COUNT(*) AS cnt, SUM(amount) AS total
      FROM orders GROUP BY region$$,
      schedule => 'IMMEDIATE',
      refresh_mode => 'DIFFERENTIAL'
      );
      """;

  // Pattern 6: Tiered refresh. The guide elides the queries ("..."); these fill them in.

  private static final String LIVE_METRICS =
      """
      SELECT pgtrickle.create_stream_table('live_metrics',
      $$SELECT region, COUNT(*) AS orders, SUM(amount) AS revenue FROM orders GROUP BY region$$);
      """;

  private static final String HOURLY_REPORT =
      """
      SELECT pgtrickle.create_stream_table('hourly_report',
      $$SELECT order_date, region, SUM(amount) AS revenue FROM orders GROUP BY order_date, region$$,
      schedule => '1m');
      """;

  private static final String DAILY_ANALYTICS =
      """
      SELECT pgtrickle.create_stream_table('daily_analytics',
      $$SELECT product_id, COUNT(*) AS orders, AVG(amount) AS avg_amount FROM orders
      GROUP BY product_id$$,
      schedule => '5m');
      """;

  private static final String AUDIT_LOG_SUMMARY =
      """
      SELECT pgtrickle.create_stream_table('audit_log_summary',
      $$SELECT customer_id, COUNT(*) AS orders, MAX(order_date) AS last_order FROM orders
      GROUP BY customer_id$$);
      """;

  /** The guide's tier statements, verbatim. */
  private static final List<String> TIER_STATEMENTS =
      List.of(
          "SELECT pgtrickle.alter_stream_table('live_metrics', tier => 'hot');",
          "SELECT pgtrickle.alter_stream_table('hourly_report', tier => 'warm');",
          "SELECT pgtrickle.alter_stream_table('daily_analytics', tier => 'cold');",
          "SELECT pgtrickle.alter_stream_table('audit_log_summary', tier => 'frozen');");

  // General guidelines: the monitoring checklist's error-state query, verbatim.

  private static final String ERROR_STATES =
      """
      SELECT pgt_name, status, last_error_message
      FROM pgtrickle.stream_tables_info
      WHERE status IN ('ERROR', 'SUSPENDED');
      """;

  private static final String[] EVENT_TYPES = {
    "purchase", "refund", "subscription", "page_view", "login", "signup"
  };
  private static final String[] AGGREGATE_EVENTS = {"created", "updated", "shipped", "cancelled"};
  private static final String[] TIERS = {"standard", "silver", "gold"};
  private static final String[] REGIONS = {"US", "EU", "APAC", "LATAM"};

  @BeforeAll
  static void schema(TestDatabase db) throws SQLException {
    // orders before customers: Pattern 3's customer_360 reads Pattern 4's orders.
    for (String ddl : List.of(RAW_EVENTS, EVENTS, ORDERS, CUSTOMERS, CUSTOMER_HISTORY)) {
      db.execute(ddl);
    }
    // Payloads: mostly an amount, sometimes none, a JSON null amount, or no payload at all.
    db.execute(
        """
        INSERT INTO raw_events (user_id, event_type, payload, received_at)
        SELECT 1 + g % 23,
               (ARRAY['purchase', 'refund', 'subscription', 'page_view', 'login'])[1 + g % 5],
               CASE WHEN g % 17 = 0 THEN NULL
                    WHEN g % 13 = 0 THEN jsonb_build_object('sku', 'sku-' || g % 7)
                    WHEN g % 29 = 0 THEN '{"amount": null}'::jsonb
                    ELSE jsonb_build_object('amount', round((g * 37 % 10000) / 100.0, 2),
                                            'currency', 'EUR') END,
               timestamptz '2026-03-01 00:00+00' + g * interval '17 minutes'
        FROM generate_series(1, 400) g
        """);
    // 37 aggregates, events 7 minutes apart: created_at is unique, so DISTINCT ON has one answer.
    db.execute(
        """
        INSERT INTO events (aggregate_id, event_type, payload, created_at)
        SELECT md5('aggregate-' || g % 37)::uuid,
               (ARRAY['created', 'updated', 'shipped', 'cancelled'])[1 + g % 4],
               jsonb_build_object('version', g, 'status', 's' || g % 6),
               timestamptz '2026-03-01 00:00+00' + g * interval '7 minutes'
        FROM generate_series(1, 300) g
        """);
    // Customers 36..40 have no orders (LEFT JOIN keeps them); orders of 31..35 have no customer.
    db.execute(
        """
        INSERT INTO customers (customer_id, name, email, tier, updated_at)
        SELECT g, 'customer ' || g,
               CASE WHEN g % 5 = 0 THEN NULL ELSE 'c' || g || '@example.com' END,
               CASE WHEN g % 7 = 0 THEN NULL ELSE (ARRAY['standard', 'silver', 'gold'])[1 + g % 3] END,
               timestamptz '2025-06-01 00:00+00' + g * interval '1 day'
        FROM generate_series(1, 30) g
        """);
    db.execute(
        "INSERT INTO customers (customer_id, name) SELECT g, 'customer ' || g"
            + " FROM generate_series(36, 40) g");
    // One to three versions per customer; only the last is open (valid_to IS NULL).
    db.execute(
        """
        INSERT INTO customer_history
        SELECT c, 'customer ' || c || ' v' || v, (ARRAY['standard', 'silver', 'gold'])[1 + (c + v) % 3],
               timestamptz '2025-01-01 00:00+00' + (v * 30 + c) * interval '1 day',
               CASE WHEN v < 1 + c % 3
                    THEN timestamptz '2025-01-01 00:00+00' + ((v + 1) * 30 + c) * interval '1 day' END
        FROM generate_series(1, 40) c, generate_series(1, 3) v
        WHERE v <= 1 + c % 3
        """);
    // Dated from tomorrow back to 20 days ago, so order_monitor sees today's and tomorrow's.
    db.execute(
        """
        INSERT INTO orders (customer_id, region, product_id, amount, order_date)
        SELECT 1 + g % 35, (ARRAY['US', 'EU', 'APAC', 'LATAM'])[1 + g % 4], 100 + g % 9,
               round((g * 53 % 50000) / 100.0, 2), CURRENT_DATE + 1 - g % 22
        FROM generate_series(1, 500) g
        """);
  }

  @Test
  @Order(1)
  void pattern1BronzeSilverGold(TestDatabase db) throws SQLException {
    // Silver before gold: user_purchase_summary reads events_cleaned.
    runExamples(
        db, 1, List.of(EVENTS_CLEANED, USER_PURCHASE_SUMMARY), SeedPatternsIT::writeRawEvents);
  }

  @Test
  @Order(2)
  void pattern2EventSourcing(TestDatabase db) throws SQLException {
    runExamples(db, 2, List.of(AGGREGATE_STATE, HOURLY_EVENT_COUNTS), SeedPatternsIT::writeEvents);
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
        db,
        4,
        List.of(DAILY_TOTALS, BY_REGION, BY_PRODUCT, TOP_CUSTOMERS),
        SeedPatternsIT::writeOrders);
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
    runExamples(db, 5, List.of(ORDER_MONITOR), SeedPatternsIT::writeOrders);

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

  // Random writes. Each method runs one statement; the caller decides how many per round.

  /** Inserts, event_type and user_id changes (the filters' and gold's keys), amounts, deletes. */
  private static void writeRawEvents(Statement st, SplittableRandom r) throws SQLException {
    switch (r.nextInt(6)) {
      case 0, 1 -> {
        StringJoiner rows = new StringJoiner(", ");
        for (int i = 1 + r.nextInt(8); i > 0; i--) {
          rows.add(
              String.format(
                  "(%d, '%s', %s, timestamptz '2026-03-01 00:00+00' + interval '%d minutes')",
                  1 + r.nextInt(30), pick(r, EVENT_TYPES), rawPayload(r), r.nextInt(8000)));
        }
        st.execute(
            "INSERT INTO raw_events (user_id, event_type, payload, received_at) VALUES " + rows);
      }
      case 2 ->
          st.execute(
              String.format(
                  "UPDATE raw_events SET event_type = '%s' WHERE event_id %% 19 = %d",
                  pick(r, EVENT_TYPES), r.nextInt(19)));
      case 3 ->
          st.execute(
              String.format(
                  "UPDATE raw_events SET user_id = %d WHERE event_id %% 23 = %d",
                  1 + r.nextInt(30), r.nextInt(23)));
      case 4 ->
          st.execute(
              String.format(
                  "UPDATE raw_events SET payload = %s WHERE event_id %% 29 = %d",
                  rawPayload(r), r.nextInt(29)));
      default ->
          st.execute(
              String.format("DELETE FROM raw_events WHERE event_id %% 31 = %d", r.nextInt(31)));
    }
  }

  private static String rawPayload(SplittableRandom r) {
    return switch (r.nextInt(8)) {
      case 0 -> "NULL";
      case 1 -> "'{\"sku\": \"sku-" + r.nextInt(7) + "\"}'";
      case 2 -> "'{\"amount\": null}'";
      default ->
          String.format(
              "'{\"amount\": %d.%02d, \"currency\": \"EUR\"}'", r.nextInt(500), r.nextInt(100));
    };
  }

  /**
   * Appends events, changes event types (hourly_event_counts' key), moves events between aggregates
   * and hours (aggregate_state's key and order), and deletes some. The guide advises against
   * deleting from an event store for efficiency; results must still be right.
   */
  private static void writeEvents(Statement st, SplittableRandom r) throws SQLException {
    long stamp = STAMP.incrementAndGet();
    switch (r.nextInt(6)) {
      case 0, 1 -> {
        StringJoiner rows = new StringJoiner(", ");
        for (int i = 1 + r.nextInt(6); i > 0; i--) {
          rows.add(
              String.format(
                  "(md5('aggregate-%d')::uuid, '%s', '{\"version\": %d, \"stamp\": %d}',"
                      + " timestamptz '2026-03-01 00:00+00' + interval '%d hours' + %s)",
                  r.nextInt(40),
                  pick(r, AGGREGATE_EVENTS),
                  r.nextInt(1000),
                  stamp,
                  r.nextInt(40),
                  uniqueOffset(stamp, Integer.toString(i))));
        }
        st.execute(
            "INSERT INTO events (aggregate_id, event_type, payload, created_at) VALUES " + rows);
      }
      case 2 ->
          st.execute(
              String.format(
                  "UPDATE events SET event_type = '%s', payload = payload || '{\"edited\": %d}'"
                      + " WHERE event_id %% 17 = %d",
                  pick(r, AGGREGATE_EVENTS), stamp, r.nextInt(17)));
      case 3 ->
          st.execute(
              String.format(
                  "UPDATE events SET created_at = date_trunc('hour', created_at)"
                      + " + interval '%d hours' + %s WHERE event_id %% 13 = %d",
                  r.nextInt(7) - 3, uniqueOffset(stamp, "event_id"), r.nextInt(13)));
      case 4 ->
          st.execute(
              String.format(
                  "UPDATE events SET aggregate_id = md5('aggregate-%d')::uuid,"
                      + " created_at = date_trunc('hour', created_at) + %s"
                      + " WHERE event_id %% 23 = %d",
                  r.nextInt(40), uniqueOffset(stamp, "event_id"), r.nextInt(23)));
      default ->
          st.execute(String.format("DELETE FROM events WHERE event_id %% 29 = %d", r.nextInt(29)));
    }
  }

  /** {@code stamp} seconds plus {@code rowNumber} (1 … 999,999) microseconds; see STAMP. */
  private static String uniqueOffset(long stamp, String rowNumber) {
    return "(" + stamp * 1_000_000 + " + " + rowNumber + ") * interval '1 microsecond'";
  }

  /** New customers, tier/email/name changes (customer_360's grouping columns), deletes. */
  private static void writeCustomers(Statement st, SplittableRandom r) throws SQLException {
    int id = 1 + r.nextInt(45);
    switch (r.nextInt(4)) {
      case 0 ->
          st.execute(
              String.format(
                  "INSERT INTO customers (customer_id, name, email) VALUES (%d, 'customer %d', %s)"
                      + " ON CONFLICT (customer_id) DO NOTHING",
                  id, id, r.nextBoolean() ? "NULL" : "'new" + id + "@example.com'"));
      case 1 ->
          st.execute(
              String.format(
                  "UPDATE customers SET tier = %s, updated_at = now() WHERE customer_id %% 7 = %d",
                  r.nextInt(4) == 0 ? "NULL" : "'" + pick(r, TIERS) + "'", r.nextInt(7)));
      case 2 ->
          st.execute(
              String.format(
                  "UPDATE customers SET email = %s, name = name || '.' WHERE customer_id = %d",
                  r.nextBoolean() ? "NULL" : "'moved" + id + "@example.org'", id));
      default -> st.execute("DELETE FROM customers WHERE customer_id = " + id);
    }
  }

  /** SCD-2 writes: close the current version and open a new one, corrections, deletes. */
  private static void writeCustomerHistory(Statement st, SplittableRandom r) throws SQLException {
    int id = 1 + r.nextInt(45);
    long stamp = STAMP.incrementAndGet();
    String at = "timestamptz '2026-01-01 00:00+00' + interval '" + stamp + " hours'";
    switch (r.nextInt(4)) {
      case 0, 1 -> {
        st.execute(
            "UPDATE customer_history SET valid_to = "
                + at
                + " WHERE customer_id = "
                + id
                + " AND valid_to IS NULL");
        st.execute(
            String.format(
                "INSERT INTO customer_history VALUES (%d, 'customer %d v%d', '%s', %s, NULL)",
                id, id, stamp, pick(r, TIERS), at));
      }
      case 2 ->
          st.execute(
              String.format(
                  "UPDATE customer_history SET tier = '%s' WHERE customer_id %% 11 = %d",
                  pick(r, TIERS), r.nextInt(11)));
      default ->
          st.execute(
              String.format(
                  "DELETE FROM customer_history WHERE customer_id = %d"
                      + " AND valid_from = (SELECT max(valid_from) FROM customer_history"
                      + " WHERE customer_id = %d)",
                  id, id));
    }
  }

  /**
   * Orders dated today (sometimes through the column's DEFAULT CURRENT_DATE) or in the past;
   * changes of region, customer_id, product_id and order_date (every fan-out target's key),
   * amounts, deletes.
   */
  private static void writeOrders(Statement st, SplittableRandom r) throws SQLException {
    switch (r.nextInt(8)) {
      case 0, 1 -> {
        StringJoiner rows = new StringJoiner(", ");
        boolean byDefault = r.nextBoolean();
        for (int i = 1 + r.nextInt(6); i > 0; i--) {
          rows.add(
              String.format(
                  "(%d, '%s', %d, %d.%02d%s)",
                  1 + r.nextInt(45),
                  pick(r, REGIONS),
                  100 + r.nextInt(9),
                  r.nextInt(1000),
                  r.nextInt(100),
                  byDefault ? "" : ", CURRENT_DATE - " + r.nextInt(4)));
        }
        st.execute(
            "INSERT INTO orders (customer_id, region, product_id, amount"
                + (byDefault ? "" : ", order_date")
                + ") VALUES "
                + rows);
      }
      case 2 ->
          st.execute(
              String.format(
                  "UPDATE orders SET region = '%s' WHERE id %% 13 = %d",
                  pick(r, REGIONS), r.nextInt(13)));
      case 3 ->
          st.execute(
              String.format(
                  "UPDATE orders SET customer_id = %d WHERE id %% 17 = %d",
                  1 + r.nextInt(45), r.nextInt(17)));
      case 4 ->
          st.execute(
              String.format(
                  "UPDATE orders SET amount = amount + %d.25, product_id = 100 + (product_id + 1) %% 9"
                      + " WHERE id %% 11 = %d",
                  r.nextInt(20), r.nextInt(11)));
      case 5 ->
          st.execute(
              String.format(
                  "UPDATE orders SET order_date = CURRENT_DATE - %d WHERE id %% 19 = %d",
                  r.nextInt(3), r.nextInt(19)));
      default -> st.execute(String.format("DELETE FROM orders WHERE id %% 23 = %d", r.nextInt(23)));
    }
  }

  private static String pick(SplittableRandom r, String[] values) {
    return values[r.nextInt(values.length)];
  }

  // Reading the guide's calls and the catalog.

  private static final java.util.regex.Pattern QUOTED =
      java.util.regex.Pattern.compile("'((?:[^']|'')*)'");
  private static final java.util.regex.Pattern SCHEDULE =
      java.util.regex.Pattern.compile("schedule => '([^']*)'");

  /** The first argument of a create_stream_table call. */
  private static String streamTableName(String call) {
    Matcher m = QUOTED.matcher(call);
    assertThat(m.find()).as("a name in %s", call).isTrue();
    return m.group(1);
  }

  /** The query argument of a create_stream_table call: {@code $$…$$} or the second '…' literal. */
  static String definingQuery(String call) {
    int open = call.indexOf("$$");
    if (open >= 0) {
      return call.substring(open + 2, call.indexOf("$$", open + 2));
    }
    Matcher m = QUOTED.matcher(call);
    assertThat(m.find() && m.find()).as("a query in %s", call).isTrue();
    return m.group(1).replace("''", "'");
  }

  private static String schedule(String call) {
    Matcher m = SCHEDULE.matcher(call);
    return m.find() ? m.group(1) : "calculated";
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
