package io.pgtrickle.driver;

import static io.pgtrickle.driver.FullModeIT.connect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtrickle.testing.PgTest;
import io.pgtrickle.testing.Sql;
import io.pgtrickle.testing.StreamTableOracle;
import io.pgtrickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Altering, redefining, dropping, and the bookkeeping around a stream table's life. */
@PgTest
class LifecycleIT {

  @BeforeAll
  static void schema(TestDatabase db) throws SQLException {
    db.execute("CREATE TABLE items (id int PRIMARY KEY, grp text, qty int, price numeric(8,2))");
    db.execute(
        "INSERT INTO items SELECT g, 'g' || (g % 4), g % 7, g * 1.25"
            + " FROM generate_series(1, 40) g");
  }

  @Test
  void alterStoresScheduleTierAndOptions(TestDatabase db) throws SQLException {
    try (Connection c = connect(db);
        Statement st = c.createStatement()) {
      st.execute(
          "SELECT pgtrickle.create_stream_table('lc_opts', 'SELECT grp, sum(qty) FROM items"
              + " GROUP BY grp', schedule => '5m', refresh_mode => 'FULL')");
      assertThat(catalog(c, "lc_opts", "schedule")).isEqualTo("5m");
      for (String schedule :
          List.of("1m30s", "@hourly", "*/5 * * * *", "0 */5 * * * *", "0 6 * * 1-5", "1d")) {
        st.execute(
            "SELECT pgtrickle.alter_stream_table('lc_opts', schedule => '" + schedule + "')");
        assertThat(catalog(c, "lc_opts", "schedule")).isEqualTo(schedule);
      }
      st.execute("SELECT pgtrickle.alter_stream_table('lc_opts', schedule => 'CALCULATED')");
      assertThat(catalog(c, "lc_opts", "schedule")).isEqualTo("calculated");
      for (String tier : List.of("warm", "cold", "frozen", "hot")) {
        st.execute("SELECT pgtrickle.alter_stream_table('lc_opts', tier => '" + tier + "')");
        assertThat(catalog(c, "lc_opts", "refresh_tier")).isEqualTo(tier);
      }
      st.execute(
          "SELECT pgtrickle.alter_stream_table('lc_opts', diamond_consistency => 'none',"
              + " diamond_schedule_policy => 'slowest', cdc_mode => 'trigger',"
              + " pooler_compatibility_mode => true)");
      assertThat(catalog(c, "lc_opts", "diamond_consistency")).isEqualTo("none");
      assertThat(catalog(c, "lc_opts", "diamond_schedule_policy")).isEqualTo("slowest");
      assertThat(catalog(c, "lc_opts", "requested_cdc_mode")).isEqualTo("trigger");
      assertThat(catalog(c, "lc_opts", "pooler_compatibility_mode")).isEqualTo("true");
      // Untouched properties survive an alter of others.
      assertThat(catalog(c, "lc_opts", "refresh_mode")).isEqualTo("FULL");
      assertThat(catalog(c, "lc_opts", "refresh_tier")).isEqualTo("hot");
    }
  }

  @Test
  void redefiningWithTheSameColumnsKeepsTheTable(TestDatabase db) throws SQLException {
    try (Connection c = connect(db);
        Statement st = c.createStatement()) {
      st.execute(
          "SELECT pgtrickle.create_stream_table('lc_same', 'SELECT grp, sum(qty) AS n FROM items"
              + " GROUP BY grp', refresh_mode => 'FULL')");
      long oid = oid(c, "lc_same");
      String query = "SELECT grp, sum(qty) AS n FROM items WHERE qty > 2 GROUP BY grp";
      st.execute("SELECT pgtrickle.alter_stream_table('lc_same', query => $$" + query + "$$)");
      assertThat(oid(c, "lc_same")).isEqualTo(oid);
      StreamTableOracle.assertMatchesQuery(c, "lc_same", query);
      assertThat(catalog(c, "lc_same", "original_query")).isEqualTo(query);
      // The stored definition is PostgreSQL's canonical rendering: tables schema-qualified.
      assertThat(catalog(c, "lc_same", "defining_query")).contains("public.items");
    }
  }

  @Test
  void redefiningWithOtherColumnsRebuildsTheTable(TestDatabase db) throws SQLException {
    try (Connection c = connect(db);
        Statement st = c.createStatement()) {
      st.execute(
          "SELECT pgtrickle.create_stream_table('lc_shape', 'SELECT grp, sum(qty) AS n FROM items"
              + " GROUP BY grp', refresh_mode => 'FULL')");
      String query = "SELECT grp, count(*) AS cnt, max(price) AS top FROM items GROUP BY grp";
      st.execute("SELECT pgtrickle.alter_stream_table('lc_shape', query => $$" + query + "$$)");
      StreamTableOracle.assertMatchesQuery(c, "lc_shape", query);
      assertThat(columns(c, "lc_shape")).containsExactly("grp", "cnt", "top");
      assertThat(catalog(c, "lc_shape", "pgt_relid")).isEqualTo(String.valueOf(oid(c, "lc_shape")));
    }
  }

  @Test
  void streamTablesOverStreamTablesAndCycles(TestDatabase db) throws SQLException {
    try (Connection c = connect(db);
        Statement st = c.createStatement()) {
      st.execute(
          "SELECT pgtrickle.create_stream_table('lc_base', 'SELECT id, grp, qty FROM items',"
              + " refresh_mode => 'FULL')");
      st.execute(
          "SELECT pgtrickle.create_stream_table('lc_top', 'SELECT grp, sum(qty) AS n FROM lc_base"
              + " GROUP BY grp', refresh_mode => 'FULL')");
      try (ResultSet rs =
          st.executeQuery(
              "SELECT d.source_type, d.source_relid::regclass::text, d.columns_used"
                  + " FROM pgtrickle.pgt_dependencies d JOIN pgtrickle.pgt_stream_tables s"
                  + " USING (pgt_id) WHERE s.pgt_name = 'lc_top'")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("STREAM_TABLE");
        assertThat(rs.getString(2)).isEqualTo("lc_base");
        assertThat(rs.getString(3)).isEqualTo("{grp,qty}");
        assertThat(rs.next()).isFalse();
      }
      StreamTableOracle.assertMatchesQuery(
          c, "lc_top", "SELECT grp, sum(qty) AS n FROM lc_base GROUP BY grp");
      assertThatThrownBy(
              () ->
                  st.execute(
                      "SELECT pgtrickle.alter_stream_table('lc_base',"
                          + " query => 'SELECT n::int AS id, grp, n::int AS qty FROM lc_top')"))
          .isInstanceOf(SQLException.class)
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("42P19"))
          .hasMessageContaining("cycle");
      assertThatThrownBy(
              () ->
                  st.execute(
                      "SELECT pgtrickle.alter_stream_table('lc_top',"
                          + " query => 'SELECT grp, count(*)::bigint AS n FROM lc_top GROUP BY grp')"))
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("42P19"));
      st.execute("SELECT pgtrickle.drop_stream_table('lc_top')");
      st.execute("SELECT pgtrickle.drop_stream_table('lc_base')");
      assertThat(exists(c, "lc_top")).isFalse();
      assertThat(exists(c, "lc_base")).isFalse();
      assertThat(
              StreamTableOracle.count(
                  c, "pgtrickle.pgt_stream_tables WHERE pgt_name IN ('lc_top', 'lc_base')"))
          .isZero();
    }
  }

  @Test
  void ifNotExistsAndOrReplace(TestDatabase db) throws SQLException {
    try (Connection c = connect(db);
        Statement st = c.createStatement()) {
      String first = "SELECT id FROM items WHERE qty = 1";
      st.execute(
          "SELECT pgtrickle.create_stream_table_if_not_exists('lc_idem', '"
              + first
              + "',"
              + " refresh_mode => 'FULL')");
      st.execute(
          "SELECT pgtrickle.create_stream_table_if_not_exists('lc_idem',"
              + " 'SELECT id FROM items WHERE qty = 2', refresh_mode => 'FULL')");
      StreamTableOracle.assertMatchesQuery(c, "lc_idem", first);
      String second = "SELECT id FROM items WHERE qty = 3";
      st.execute(
          "SELECT pgtrickle.create_or_replace_stream_table('lc_idem', '"
              + second
              + "',"
              + " refresh_mode => 'FULL', schedule => '10s')");
      StreamTableOracle.assertMatchesQuery(c, "lc_idem", second);
      assertThat(catalog(c, "lc_idem", "schedule")).isEqualTo("10s");
      st.execute(
          "SELECT pgtrickle.create_or_replace_stream_table('lc_fresh', '"
              + second
              + "',"
              + " refresh_mode => 'FULL')");
      StreamTableOracle.assertMatchesQuery(c, "lc_fresh", second);
    }
  }

  @Test
  void initializeFalseCreatesAnEmptyUnpopulatedTable(TestDatabase db) throws SQLException {
    try (Connection c = connect(db);
        Statement st = c.createStatement()) {
      String query = "SELECT id, price FROM items";
      st.execute(
          "SELECT pgtrickle.create_stream_table('lc_lazy', '"
              + query
              + "',"
              + " refresh_mode => 'FULL', initialize => false)");
      assertThat(StreamTableOracle.count(c, "lc_lazy")).isZero();
      assertThat(catalog(c, "lc_lazy", "is_populated")).isEqualTo("false");
      assertThat(catalog(c, "lc_lazy", "status")).isEqualTo("INITIALIZING");
      st.execute("SELECT pgtrickle.refresh_stream_table('lc_lazy')");
      StreamTableOracle.assertMatchesQuery(c, "lc_lazy", query);
      assertThat(catalog(c, "lc_lazy", "is_populated")).isEqualTo("true");
      assertThat(catalog(c, "lc_lazy", "status")).isEqualTo("ACTIVE");
      assertThat(catalog(c, "lc_lazy", "data_timestamp")).isNotNull();
    }
  }

  /** A refresh that fails is recorded with its error, and the next success clears the streak. */
  @Test
  void failedRefreshIsRecorded(TestDatabase db) throws SQLException {
    db.execute("CREATE TABLE fragile (id int, v int)");
    db.execute("INSERT INTO fragile VALUES (1, 10)");
    try (Connection c = connect(db);
        Statement st = c.createStatement()) {
      st.execute(
          "SELECT pgtrickle.create_stream_table('lc_fragile', 'SELECT id, v FROM fragile',"
              + " refresh_mode => 'FULL')");
      db.execute("ALTER TABLE fragile RENAME COLUMN v TO w");
      assertThatThrownBy(() -> st.execute("SELECT pgtrickle.refresh_stream_table('lc_fragile')"))
          .isInstanceOf(SQLException.class)
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("42703"));
      assertThat(catalog(c, "lc_fragile", "consecutive_errors")).isEqualTo("1");
      assertThat(catalog(c, "lc_fragile", "last_error_message")).contains("v");
      try (ResultSet rs =
          st.executeQuery(
              "SELECT h.status, h.action, h.error_message, h.initiated_by"
                  + " FROM pgtrickle.pgt_refresh_history h JOIN pgtrickle.pgt_stream_tables s"
                  + " USING (pgt_id) WHERE s.pgt_name = 'lc_fragile'"
                  + " ORDER BY h.refresh_id DESC LIMIT 1")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("FAILED");
        assertThat(rs.getString(2)).isEqualTo("FULL");
        assertThat(rs.getString(3)).isNotBlank();
        assertThat(rs.getString(4)).isEqualTo("MANUAL");
      }
      db.execute("ALTER TABLE fragile RENAME COLUMN w TO v");
      st.execute("SELECT pgtrickle.refresh_stream_table('lc_fragile')");
      assertThat(catalog(c, "lc_fragile", "consecutive_errors")).isEqualTo("0");
    }
  }

  @Test
  void monitoringViewShowsStaleness(TestDatabase db) throws SQLException {
    try (Connection c = connect(db);
        Statement st = c.createStatement()) {
      st.execute(
          "SELECT pgtrickle.create_stream_table('lc_stale', 'SELECT id FROM items',"
              + " schedule => '1h', refresh_mode => 'FULL')");
      st.execute(
          "SELECT pgtrickle.create_stream_table('lc_cron', 'SELECT id FROM items',"
              + " schedule => '@daily', refresh_mode => 'FULL')");
      try (ResultSet rs =
          st.executeQuery(
              "SELECT pgt_name, staleness IS NOT NULL, stale FROM pgtrickle.stream_tables_info"
                  + " WHERE pgt_name IN ('lc_stale', 'lc_cron') ORDER BY pgt_name")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("lc_cron");
        assertThat(rs.getObject(3)).isNull(); // cron schedules have no fixed period
        assertThat(rs.next()).isTrue();
        assertThat(rs.getBoolean(2)).isTrue();
        assertThat(rs.getBoolean(3)).isFalse(); // refreshed a moment ago, schedule 1h
      }
    }
  }

  @Test
  void schemaQualifiedAndQuotedNames(TestDatabase db) throws SQLException {
    db.execute("CREATE SCHEMA analytics");
    try (Connection c = connect(db);
        Statement st = c.createStatement()) {
      st.execute(
          "SELECT pgtrickle.create_stream_table('analytics.by_grp', 'SELECT grp, count(*)"
              + " FROM public.items GROUP BY grp', refresh_mode => 'FULL')");
      st.execute(
          "SELECT pgtrickle.create_stream_table('\"Mixed Case\"', 'SELECT id FROM items',"
              + " refresh_mode => 'FULL')");
      StreamTableOracle.assertMatchesQuery(
          c, "analytics.by_grp", "SELECT grp, count(*) FROM public.items GROUP BY grp");
      StreamTableOracle.assertMatchesQuery(c, "\"Mixed Case\"", "SELECT id FROM items");
      // An unqualified name is found through search_path, like a table. (SET LOCAL in a
      // transaction: a plain SET would not survive a transaction-pooling PgBouncer.)
      c.setAutoCommit(false);
      st.execute("SET LOCAL search_path = analytics, public");
      st.execute("SELECT pgtrickle.refresh_stream_table('by_grp')");
      c.commit();
      c.setAutoCommit(true);
      st.execute("SELECT pgtrickle.drop_stream_table('analytics.by_grp')");
      st.execute("SELECT pgtrickle.drop_stream_table('\"Mixed Case\"')");
      assertThat(exists(c, "analytics.by_grp")).isFalse();
    }
  }

  private static String catalog(Connection c, String name, String column) throws SQLException {
    return Sql.string(
        c,
        "SELECT "
            + column
            + "::text FROM pgtrickle.pgt_stream_tables WHERE pgt_name = '"
            + name
            + "'");
  }

  private static long oid(Connection c, String table) throws SQLException {
    return Sql.scalar(c, "SELECT '" + table + "'::regclass::oid");
  }

  private static boolean exists(Connection c, String table) throws SQLException {
    return Sql.string(c, "SELECT to_regclass('" + table + "') IS NOT NULL").equals("t");
  }

  private static List<String> columns(Connection c, String table) throws SQLException {
    return Sql.column(
        c,
        "SELECT attname FROM pg_attribute WHERE attrelid = '"
            + table
            + "'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum");
  }
}
