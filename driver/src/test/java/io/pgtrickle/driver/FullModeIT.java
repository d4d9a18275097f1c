package io.pgtrickle.driver;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.testing.PgTest;
import io.pgtrickle.testing.Sql;
import io.pgtrickle.testing.StreamTableOracle;
import io.pgtrickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * FULL-mode stream tables over a wide range of queries: after creation and after every refresh
 * following random DML, the stream table equals a fresh run of its query (the oracle).
 */
@PgTest
class FullModeIT {
  private static final AtomicInteger NEXT = new AtomicInteger();
  private static final long SEED = Long.getLong("pgtrickle.seed", System.nanoTime());

  @BeforeAll
  static void schema(TestDatabase db) throws SQLException {
    db.execute(
        "CREATE TABLE customers (customer_id int PRIMARY KEY, name text NOT NULL, tier text,"
            + " email text)");
    db.execute(
        "CREATE TABLE orders (id serial PRIMARY KEY, customer_id int, region text,"
            + " product_id int, amount numeric(10,2), order_date date, payload jsonb,"
            + " note varchar(20))");
    db.execute("CREATE TABLE categories (id int PRIMARY KEY, name text, parent_id int)");
    db.execute(
        "INSERT INTO categories VALUES (1, 'root', NULL), (2, 'a', 1), (3, 'b', 1), (4, 'a1', 2)");
    try (Connection c = connect(db)) {
      mutate(c, new SplittableRandom(SEED), 60);
    }
  }

  static Stream<Arguments> queries() {
    return Stream.of(
            "SELECT * FROM orders",
            "SELECT region FROM orders", // many duplicate rows
            "SELECT id, amount * 2 AS doubled, CASE WHEN amount > 50 THEN 'big' ELSE 'small' END"
                + " AS size, COALESCE(note, '-') AS note, amount::int AS whole,"
                + " CAST(order_date AS text) AS d FROM orders WHERE region IN ('US', 'EU')"
                + " AND amount BETWEEN 10 AND 90 OR note LIKE 'x%'",
            "SELECT region, COUNT(*) AS cnt, SUM(amount) AS total, AVG(amount) AS avg_amount,"
                + " MIN(amount) AS lo, MAX(amount) AS hi FROM orders GROUP BY region",
            "SELECT region, product_id, COUNT(*) FROM orders GROUP BY 1, 2 HAVING COUNT(*) > 1",
            "SELECT COUNT(*) AS n, SUM(amount) AS s FROM orders",
            "SELECT c.customer_id, c.name, c.email, c.tier, COUNT(o.id) AS total_orders,"
                + " COALESCE(SUM(o.amount), 0) AS lifetime_value FROM customers c"
                + " LEFT JOIN orders o ON o.customer_id = c.customer_id"
                + " GROUP BY c.customer_id, c.name, c.email, c.tier",
            "SELECT o.id, c.name, o.amount FROM orders o JOIN customers c USING (customer_id)",
            "SELECT DISTINCT region, product_id FROM orders",
            "SELECT DISTINCT ON (customer_id) customer_id, id, amount FROM orders"
                + " ORDER BY customer_id, amount DESC, id",
            "SELECT id, region, amount, rank() OVER (PARTITION BY region ORDER BY amount DESC,"
                + " id) AS rnk, sum(amount) OVER (PARTITION BY region) AS region_total"
                + " FROM orders",
            "SELECT id, amount FROM orders ORDER BY amount DESC NULLS LAST, id LIMIT 5",
            "SELECT customer_id FROM orders UNION SELECT customer_id FROM customers",
            "SELECT region FROM orders INTERSECT ALL SELECT tier FROM customers",
            "SELECT customer_id FROM customers EXCEPT ALL SELECT customer_id FROM orders",
            "WITH big AS (SELECT * FROM orders WHERE amount > 40)"
                + " SELECT region, count(*) FROM big GROUP BY region",
            "WITH RECURSIVE tree AS (SELECT id, name, 0 AS depth FROM categories"
                + " WHERE parent_id IS NULL UNION ALL SELECT c.id, c.name, t.depth + 1"
                + " FROM categories c JOIN tree t ON c.parent_id = t.id) SELECT * FROM tree",
            "SELECT o.id, e.value AS tag FROM orders o,"
                + " jsonb_array_elements_text(o.payload -> 'tags') AS e(value)",
            "SELECT id, payload ->> 'kind' AS kind FROM orders WHERE payload ? 'vip'",
            "SELECT id FROM orders o WHERE EXISTS (SELECT 1 FROM customers c"
                + " WHERE c.customer_id = o.customer_id AND c.tier = 'gold')",
            "SELECT c.name, (SELECT max(amount) FROM orders o"
                + " WHERE o.customer_id = c.customer_id) AS best FROM customers c",
            "SELECT region, product_id, sum(amount) FROM orders"
                + " GROUP BY ROLLUP (region, product_id)",
            "SELECT date_trunc('month', order_date) AS month, count(*) FROM orders GROUP BY 1",
            "VALUES (1, 'one'), (2, 'two')",
            "SELECT string_agg(region, ',' ORDER BY region, id) AS regions,"
                + " array_agg(id ORDER BY id) AS ids FROM orders")
        .map(Arguments::of);
  }

  @ParameterizedTest
  @MethodSource("queries")
  void streamTableEqualsItsQueryAfterEveryRefresh(String query, TestDatabase db)
      throws SQLException {
    String name = "st_full_" + NEXT.incrementAndGet();
    SplittableRandom random = new SplittableRandom(SEED ^ name.hashCode());
    try (Connection c = connect(db);
        Statement st = c.createStatement()) {
      st.execute(
          "SELECT pgtrickle.create_stream_table('"
              + name
              + "', $q$"
              + query
              + "$q$, refresh_mode => 'FULL')");
      check(c, name, query, "after create");
      for (int round = 0; round < 4; round++) {
        mutate(c, random, 1 + random.nextInt(25));
        st.execute("SELECT pgtrickle.refresh_stream_table('" + name + "')");
        check(c, name, query, "after refresh " + round);
      }
      assertThat(history(c, name))
          .startsWith("FULL/COMPLETED/INITIAL")
          .endsWith("FULL/COMPLETED/MANUAL")
          .hasSize(5);
    }
  }

  @Test
  void columnsKeepTheQueryTypesAndTypmods(TestDatabase db) throws SQLException {
    try (Connection c = connect(db);
        Statement st = c.createStatement()) {
      st.execute(
          "SELECT pgtrickle.create_stream_table('st_types',"
              + " 'SELECT id, amount, note, order_date, payload, SUM(amount) OVER () AS total"
              + " FROM orders', refresh_mode => 'FULL')");
      List<String> types =
          Sql.column(
              c,
              "SELECT attname || ' ' || format_type(atttypid, atttypmod) FROM pg_attribute"
                  + " WHERE attrelid = 'st_types'::regclass AND attnum > 0 ORDER BY attnum");
      assertThat(types)
          .containsExactly(
              "id integer",
              "amount numeric(10,2)",
              "note character varying(20)",
              "order_date date",
              "payload jsonb",
              "total numeric");
    }
  }

  /** A refresh writes only the rows that changed, and nothing when nothing changed. */
  @Test
  void refreshWritesOnlyTheDifference(TestDatabase db) throws SQLException {
    try (Connection c = connect(db);
        Statement st = c.createStatement()) {
      st.execute(
          "SELECT pgtrickle.create_stream_table('st_diff', 'SELECT id, amount FROM orders',"
              + " refresh_mode => 'FULL')");
      st.execute("SELECT pgtrickle.refresh_stream_table('st_diff')");
      assertThat(lastCounts(c, "st_diff")).containsExactly(0L, 0L);
      st.execute(
          "UPDATE orders SET amount = coalesce(amount, 0) + 1 WHERE id = (SELECT min(id) FROM orders)");
      st.execute("SELECT pgtrickle.refresh_stream_table('st_diff')");
      assertThat(lastCounts(c, "st_diff")).containsExactly(1L, 1L);
      StreamTableOracle.assertMatchesQuery(c, "st_diff", "SELECT id, amount FROM orders");
    }
  }

  /** Types without an equality operator (json, point) still refresh correctly. */
  @Test
  void typesWithoutEqualityOperatorRefresh(TestDatabase db) throws SQLException {
    try (Connection c = connect(db);
        Statement st = c.createStatement()) {
      String query = "SELECT id, payload::json AS j, point(id, id) AS p FROM orders";
      st.execute(
          "SELECT pgtrickle.create_stream_table('st_json', $$"
              + query
              + "$$,"
              + " refresh_mode => 'FULL')");
      st.execute("UPDATE orders SET payload = '{\"kind\": \"changed\"}' WHERE id % 3 = 0");
      st.execute("SELECT pgtrickle.refresh_stream_table('st_json')");
      StreamTableOracle.assertMatchesQuery(c, "st_json", query);
    }
  }

  @Test
  void autoModeChoosesDifferentialWhenItCanAndSaysWhyNotOtherwise(TestDatabase db)
      throws SQLException {
    try (Connection c = connect(db);
        Statement st = c.createStatement()) {
      st.execute(
          "SELECT pgtrickle.create_stream_table('st_auto',"
              + " 'SELECT region, count(*) FROM orders GROUP BY region')");
      st.execute(
          "SELECT pgtrickle.create_stream_table('st_auto_window',"
              + " 'SELECT id, rank() OVER (ORDER BY amount) FROM orders')");
      try (ResultSet rs =
          st.executeQuery(
              "SELECT pgt_name, refresh_mode, effective_refresh_mode, refresh_mode_reason,"
                  + " schedule, status, is_populated FROM pgtrickle.pgt_stream_tables"
                  + " WHERE pgt_name LIKE 'st_auto%' ORDER BY pgt_name")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(2)).isEqualTo("AUTO");
        assertThat(rs.getString(3)).isEqualTo("DIFFERENTIAL");
        assertThat(rs.getString(5)).isEqualTo("calculated");
        assertThat(rs.getString(6)).isEqualTo("ACTIVE");
        assertThat(rs.getBoolean(7)).isTrue();
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(2)).isEqualTo("AUTO");
        assertThat(rs.getString(3)).isEqualTo("FULL");
        assertThat(rs.getString(4)).contains("window");
      }
    }
  }

  private static void check(Connection c, String name, String query, String when) {
    try {
      StreamTableOracle.assertMatchesQuery(c, name, query);
    } catch (AssertionError | SQLException e) {
      throw new AssertionError(
          name + " " + when + " (replay with -Dpgtrickle.seed=" + SEED + "): " + e.getMessage(), e);
    }
  }

  /** Random inserts, updates (including of grouping and join keys) and deletes. */
  static void mutate(Connection c, SplittableRandom r, int statements) throws SQLException {
    String[] regions = {"US", "EU", "APAC", null};
    String[] tiers = {"gold", "silver", "US", null};
    try (PreparedStatement customer =
            c.prepareStatement(
                "INSERT INTO customers VALUES (?, ?, ?, ?) ON CONFLICT (customer_id)"
                    + " DO UPDATE SET tier = EXCLUDED.tier, email = EXCLUDED.email");
        PreparedStatement order =
            c.prepareStatement(
                "INSERT INTO orders (customer_id, region, product_id, amount, order_date,"
                    + " payload, note) VALUES (?, ?, ?, ?, DATE '2026-01-01' + ?,"
                    + " ?::jsonb, ?)");
        Statement st = c.createStatement()) {
      for (int i = 0; i < statements; i++) {
        int kind = r.nextInt(10);
        if (kind < 2) {
          int id = r.nextInt(12);
          customer.setInt(1, id);
          customer.setString(2, "c" + id);
          customer.setString(3, tiers[r.nextInt(tiers.length)]);
          customer.setString(4, r.nextBoolean() ? null : "c" + id + "@example.com");
          customer.executeUpdate();
        } else if (kind < 6) {
          order.setInt(1, r.nextInt(14));
          order.setString(2, regions[r.nextInt(regions.length)]);
          order.setInt(3, r.nextInt(4));
          order.setBigDecimal(4, r.nextBoolean() ? null : new java.math.BigDecimal(r.nextInt(100)));
          order.setInt(5, r.nextInt(90));
          order.setString(
              6,
              r.nextBoolean()
                  ? "{\"tags\": [\"a\", \"b\"], \"vip\": true, \"kind\": \"k" + r.nextInt(3) + "\"}"
                  : "{\"kind\": \"plain\"}");
          order.setString(7, r.nextBoolean() ? null : "x" + r.nextInt(5));
          order.executeUpdate();
        } else if (kind < 9) {
          st.executeUpdate(
              "UPDATE orders SET amount = coalesce(amount, 0) + "
                  + (r.nextInt(20) - 10)
                  + ", region = CASE WHEN id % 2 = 0 THEN region ELSE 'EU' END,"
                  + " customer_id = customer_id + 1 WHERE id % 7 = "
                  + r.nextInt(7));
        } else {
          st.executeUpdate("DELETE FROM orders WHERE id % 11 = " + r.nextInt(11));
        }
      }
    }
  }

  private static List<String> history(Connection c, String name) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT h.action || '/' || h.status || '/' || h.initiated_by"
                + " FROM pgtrickle.pgt_refresh_history h JOIN pgtrickle.pgt_stream_tables s"
                + " USING (pgt_id) WHERE s.pgt_name = ? ORDER BY h.refresh_id")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(rs.getString(1));
        }
      }
    }
    return rows;
  }

  private static List<Long> lastCounts(Connection c, String name) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT h.rows_inserted, h.rows_deleted FROM pgtrickle.pgt_refresh_history h"
                + " JOIN pgtrickle.pgt_stream_tables s USING (pgt_id) WHERE s.pgt_name = ?"
                + " ORDER BY h.refresh_id DESC LIMIT 1")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        return List.of(rs.getLong(1), rs.getLong(2));
      }
    }
  }

  static Connection connect(TestDatabase db) throws SQLException {
    return DriverManager.getConnection(db.pgTrickleUrl(), db.properties());
  }
}
