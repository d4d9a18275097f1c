package io.pgtrickle.engine.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtrickle.engine.session.JdbcSqlSession;
import io.pgtrickle.testing.PgTest;
import io.pgtrickle.testing.Sql;
import io.pgtrickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

@PgTest
class CatalogMigratorIT {

  @Test
  void installsTheCatalogOnceAndIsIdempotent(TestDatabase db) throws Exception {
    try (Connection c = db.connect()) {
      JdbcSqlSession s = new JdbcSqlSession(c);
      int first = CatalogMigrator.migrate(s);
      int second = CatalogMigrator.migrate(s);
      assertThat(first + second).isLessThanOrEqualTo(CatalogMigrator.CURRENT_VERSION);
      assertThat(second).isZero();
      assertThat(CatalogMigrator.installedVersion(s)).isEqualTo(CatalogMigrator.CURRENT_VERSION);
      assertThat(Sql.scalar(c, "SELECT count(*) FROM pgtrickle.pgt_schema_version"))
          .isEqualTo(CatalogMigrator.CURRENT_VERSION);
    }
  }

  @Test
  void catalogHasTheDocumentedColumns(TestDatabase db) throws Exception {
    try (Connection c = db.connect()) {
      CatalogMigrator.migrate(new JdbcSqlSession(c));
      assertThat(columns(c, "pgt_stream_tables"))
          .contains(
              "pgt_id",
              "pgt_relid",
              "pgt_name",
              "pgt_schema",
              "defining_query",
              "original_query",
              "schedule",
              "refresh_mode",
              "status",
              "refresh_tier",
              "is_populated",
              "data_timestamp",
              "frontier",
              "last_refresh_at",
              "consecutive_errors",
              "last_error_message",
              "diamond_consistency",
              "diamond_schedule_policy",
              "pooler_compatibility_mode",
              "created_at",
              "updated_at");
      assertThat(columns(c, "pgt_dependencies"))
          .contains("pgt_id", "source_relid", "source_type", "columns_used", "cdc_mode");
      assertThat(columns(c, "pgt_refresh_history"))
          .contains(
              "refresh_id",
              "pgt_id",
              "data_timestamp",
              "start_time",
              "end_time",
              "action",
              "rows_inserted",
              "rows_deleted",
              "status",
              "error_message",
              "initiated_by");
      assertThat(Sql.scalar(c, "SELECT count(*) FROM pgtrickle.stream_tables_info")).isZero();
    }
  }

  /** Engines that start at the same moment must serialise, not fail or apply twice. */
  @Test
  void concurrentMigrationsApplyExactlyOnce(TestDatabase db) throws Exception {
    String dbName = "race_" + System.nanoTime();
    db.execute("CREATE DATABASE " + dbName);
    try {
      int engines = 6;
      CyclicBarrier start = new CyclicBarrier(engines);
      ExecutorService pool = Executors.newFixedThreadPool(engines);
      List<Future<Integer>> results = new ArrayList<>();
      for (int i = 0; i < engines; i++) {
        results.add(
            pool.submit(
                () -> {
                  try (Connection c = connectTo(db, dbName)) {
                    start.await();
                    return CatalogMigrator.migrate(new JdbcSqlSession(c));
                  }
                }));
      }
      int applied = 0;
      for (Future<Integer> f : results) {
        applied += f.get(); // an exception in any engine fails the test here
      }
      pool.shutdown();
      assertThat(applied).isEqualTo(CatalogMigrator.CURRENT_VERSION);
      try (Connection c = connectTo(db, dbName)) {
        assertThat(Sql.scalar(c, "SELECT count(*) FROM pgtrickle.pgt_schema_version"))
            .isEqualTo(CatalogMigrator.CURRENT_VERSION);
      }
    } finally {
      db.execute("DROP DATABASE " + dbName + " WITH (FORCE)");
    }
  }

  @Test
  void writeApiCalledDirectlyExplainsHowToReachIt(TestDatabase db) throws Exception {
    try (Connection c = db.connect();
        Statement st = c.createStatement()) {
      CatalogMigrator.migrate(new JdbcSqlSession(c));
      for (String call :
          List.of(
              "SELECT pgtrickle.create_stream_table('x', 'SELECT 1')",
              "SELECT pgtrickle.alter_stream_table('x', tier => 'warm')",
              "SELECT pgtrickle.drop_stream_table('x')",
              "SELECT pgtrickle.refresh_stream_table('x')",
              "SELECT pgtrickle.resume_stream_table('x')")) {
        assertThatThrownBy(() -> st.execute(call))
            .isInstanceOf(SQLException.class)
            .satisfies(
                e -> {
                  assertThat(((SQLException) e).getSQLState()).isEqualTo("0A000");
                  assertThat(e.getMessage())
                      .contains("must be called through the pg_trickle proxy or JDBC driver")
                      .contains("jdbc:pgtrickle:postgresql://");
                });
      }
    }
  }

  private static Connection connectTo(TestDatabase db, String database) throws SQLException {
    String url = db.jdbcUrl().substring(0, db.jdbcUrl().lastIndexOf('/') + 1) + database;
    return DriverManager.getConnection(url, db.properties());
  }

  private static List<String> columns(Connection c, String table) throws SQLException {
    return Sql.column(
        c,
        "SELECT column_name FROM information_schema.columns"
            + " WHERE table_schema = 'pgtrickle' AND table_name = '"
            + table
            + "'");
  }
}
