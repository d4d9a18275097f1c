package io.pgtrickle.testing;

import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.SplittableRandom;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SQL of the best-practice patterns guide ({@code shared/seeds}), verbatim where the guide
 * gives it, with the data the tests start from and seeded random writes to its source tables. The
 * driver runs it through pgjdbc-with-pg_trickle, the proxy through psql and its scheduler.
 */
public final class SeedGuide {
  private SeedGuide() {}

  /**
   * Makes every timestamp the writes below produce unique. DISTINCT ON (aggregate_id) ORDER BY
   * created_at DESC has no single right answer when two events of an aggregate tie, so the seed
   * rows sit on whole minutes and every written row gets a distinct non-zero microsecond offset
   * ({@code STAMP * 1s + row number µs}) within its hour.
   */
  private static final AtomicLong STAMP = new AtomicLong();

  // Source tables, verbatim from the guide.

  public static final String RAW_EVENTS =
      """
      CREATE TABLE raw_events (
      event_id BIGSERIAL PRIMARY KEY,
      user_id INT NOT NULL,
      event_type TEXT NOT NULL,
      payload JSONB,
      received_at TIMESTAMPTZ NOT NULL DEFAULT now()
      );
      """;

  public static final String EVENTS =
      """
      CREATE TABLE events (
      event_id BIGSERIAL PRIMARY KEY,
      aggregate_id UUID NOT NULL,
      event_type TEXT NOT NULL,
      payload JSONB NOT NULL,
      created_at TIMESTAMPTZ NOT NULL DEFAULT now()
      );
      """;

  public static final String CUSTOMERS =
      """
      CREATE TABLE customers (
      customer_id INT PRIMARY KEY,
      name TEXT NOT NULL,
      email TEXT,
      tier TEXT DEFAULT 'standard',
      updated_at TIMESTAMPTZ DEFAULT now()
      );
      """;

  public static final String CUSTOMER_HISTORY =
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

  public static final String ORDERS =
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

  public static final String EVENTS_CLEANED =
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

  public static final String USER_PURCHASE_SUMMARY =
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

  public static final String AGGREGATE_STATE =
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

  public static final String HOURLY_EVENT_COUNTS =
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

  public static final String CUSTOMER_360 =
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

  public static final String CUSTOMERS_CURRENT =
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

  public static final String DAILY_TOTALS =
      """
      SELECT pgtrickle.create_stream_table('daily_totals',
      'SELECT order_date, SUM(amount) AS daily_total, COUNT(*) AS order_count
      FROM orders GROUP BY order_date',
      schedule => '5s', refresh_mode => 'DIFFERENTIAL');
      """;

  public static final String BY_REGION =
      """
      SELECT pgtrickle.create_stream_table('by_region',
      'SELECT region, SUM(amount) AS total, COUNT(*) AS cnt
      FROM orders GROUP BY region',
      schedule => '5s', refresh_mode => 'DIFFERENTIAL');
      """;

  public static final String BY_PRODUCT =
      """
      SELECT pgtrickle.create_stream_table('by_product',
      'SELECT product_id, SUM(amount) AS total, COUNT(*) AS cnt
      FROM orders GROUP BY product_id',
      schedule => '5s', refresh_mode => 'DIFFERENTIAL');
      """;

  public static final String TOP_CUSTOMERS =
      """
      SELECT pgtrickle.create_stream_table('top_customers',
      'SELECT customer_id, SUM(amount) AS lifetime_value, COUNT(*) AS order_count
      FROM orders GROUP BY customer_id',
      schedule => '10s', refresh_mode => 'DIFFERENTIAL');
      """;

  // Pattern 5: Real-time dashboards, verbatim.

  public static final String ORDER_MONITOR =
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

  public static final String LIVE_COUNTER =
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

  public static final String LIVE_METRICS =
      """
      SELECT pgtrickle.create_stream_table('live_metrics',
      $$SELECT region, COUNT(*) AS orders, SUM(amount) AS revenue FROM orders GROUP BY region$$);
      """;

  public static final String HOURLY_REPORT =
      """
      SELECT pgtrickle.create_stream_table('hourly_report',
      $$SELECT order_date, region, SUM(amount) AS revenue FROM orders GROUP BY order_date, region$$,
      schedule => '1m');
      """;

  public static final String DAILY_ANALYTICS =
      """
      SELECT pgtrickle.create_stream_table('daily_analytics',
      $$SELECT product_id, COUNT(*) AS orders, AVG(amount) AS avg_amount FROM orders
      GROUP BY product_id$$,
      schedule => '5m');
      """;

  public static final String AUDIT_LOG_SUMMARY =
      """
      SELECT pgtrickle.create_stream_table('audit_log_summary',
      $$SELECT customer_id, COUNT(*) AS orders, MAX(order_date) AS last_order FROM orders
      GROUP BY customer_id$$);
      """;

  /** The guide's tier statements, verbatim. */
  public static final List<String> TIER_STATEMENTS =
      List.of(
          "SELECT pgtrickle.alter_stream_table('live_metrics', tier => 'hot');",
          "SELECT pgtrickle.alter_stream_table('hourly_report', tier => 'warm');",
          "SELECT pgtrickle.alter_stream_table('daily_analytics', tier => 'cold');",
          "SELECT pgtrickle.alter_stream_table('audit_log_summary', tier => 'frozen');");

  // General guidelines: the monitoring checklist's error-state query, verbatim.

  public static final String ERROR_STATES =
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

  /** Creates the guide's source tables and fills them with the rows the tests start from. */
  public static void createSources(TestDatabase db) throws SQLException {
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

  // Random writes. Each method runs one statement; the caller decides how many per round.

  /** Inserts, event_type and user_id changes (the filters' and gold's keys), amounts, deletes. */
  public static void writeRawEvents(Statement st, SplittableRandom r) throws SQLException {
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
  public static void writeEvents(Statement st, SplittableRandom r) throws SQLException {
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
  public static void writeCustomers(Statement st, SplittableRandom r) throws SQLException {
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
  public static void writeCustomerHistory(Statement st, SplittableRandom r) throws SQLException {
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
  public static void writeOrders(Statement st, SplittableRandom r) throws SQLException {
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

  private static final Pattern QUOTED = Pattern.compile("'((?:[^']|'')*)'");
  private static final Pattern SCHEDULE = Pattern.compile("schedule => '([^']*)'");

  /** The first argument of a create_stream_table call. */
  public static String streamTableName(String call) {
    Matcher m = QUOTED.matcher(call);
    if (!m.find()) {
      throw new IllegalArgumentException("no name in " + call);
    }
    return m.group(1);
  }

  /** The query argument of a create_stream_table call: {@code $$…$$} or the second '…' literal. */
  public static String definingQuery(String call) {
    int open = call.indexOf("$$");
    if (open >= 0) {
      return call.substring(open + 2, call.indexOf("$$", open + 2));
    }
    Matcher m = QUOTED.matcher(call);
    if (!(m.find() && m.find())) {
      throw new IllegalArgumentException("no query in " + call);
    }
    return m.group(1).replace("''", "'");
  }

  public static String schedule(String call) {
    Matcher m = SCHEDULE.matcher(call);
    return m.find() ? m.group(1) : "calculated";
  }
}
