package io.pgtrickle.engine.catalog;

import io.pgtrickle.engine.session.Row;
import io.pgtrickle.engine.session.SqlSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs and upgrades the catalog. Each migration is a SQL script applied once, in order, and
 * recorded in {@code pgtrickle.pgt_schema_version}; all pending ones run in one transaction under a
 * transaction-level advisory lock, so engines starting at the same moment serialise instead of
 * racing on {@code CREATE SCHEMA}, and a failure leaves the catalog as it was.
 */
public final class CatalogMigrator {
  private static final Logger LOG = LoggerFactory.getLogger(CatalogMigrator.class);

  /** Advisory lock key: the ASCII bytes of "pgtrickl". */
  static final long LOCK_KEY = 0x7067747269636b6cL;

  /** The migrations, in order; the index + 1 is the version. */
  private static final List<String> MIGRATIONS =
      List.of(
          "V1__catalog.sql",
          "V2__change_capture.sql",
          "V3__own_transaction_frontier.sql",
          "V4__refresh_functions.sql");

  /** The catalog version this engine needs. */
  public static final int CURRENT_VERSION = MIGRATIONS.size();

  private CatalogMigrator() {}

  /**
   * Brings the catalog up to {@link #CURRENT_VERSION}. The session must not be inside a
   * transaction: migrations commit on their own.
   *
   * @return the number of migrations applied (0 when the catalog was already current)
   */
  public static int migrate(SqlSession session) throws SQLException {
    if (installedVersion(session) == CURRENT_VERSION) {
      return 0; // the common case costs one round trip and takes no lock
    }
    session.begin();
    try {
      session.query("SELECT pg_advisory_xact_lock(?::bigint)", LOCK_KEY);
      session.update("CREATE SCHEMA IF NOT EXISTS pgtrickle");
      session.update(
          "CREATE TABLE IF NOT EXISTS pgtrickle.pgt_schema_version ("
              + " version int PRIMARY KEY,"
              + " script text NOT NULL,"
              + " applied_at timestamptz NOT NULL DEFAULT now(),"
              + " applied_by text NOT NULL DEFAULT current_user)");
      session.update("GRANT USAGE ON SCHEMA pgtrickle TO PUBLIC");
      session.update("GRANT SELECT ON pgtrickle.pgt_schema_version TO PUBLIC");
      int installed = installedVersion(session); // re-read under the lock
      if (installed > CURRENT_VERSION) {
        throw new SQLException(
            "the pg_trickle catalog in this database is version "
                + installed
                + ", newer than this engine understands ("
                + CURRENT_VERSION
                + "); upgrade pg_trickle",
            "55000");
      }
      for (int v = installed + 1; v <= CURRENT_VERSION; v++) {
        String script = MIGRATIONS.get(v - 1);
        session.update(load(script));
        session.update(
            "INSERT INTO pgtrickle.pgt_schema_version (version, script) VALUES (?::int, ?)",
            v,
            script);
        LOG.info("applied pg_trickle catalog migration {} ({})", v, script);
      }
      session.commit();
      return CURRENT_VERSION - installed;
    } catch (SQLException | RuntimeException e) {
      session.rollback();
      throw e;
    }
  }

  /** The installed catalog version, 0 when there is none. */
  public static int installedVersion(SqlSession session) throws SQLException {
    // Two statements: a query naming a table that does not exist fails at parse time.
    Row exists = session.queryOne("SELECT to_regclass('pgtrickle.pgt_schema_version') IS NOT NULL");
    if (!exists.bool(0)) {
      return 0;
    }
    Row row =
        session.queryOne("SELECT coalesce(max(version), 0) FROM pgtrickle.pgt_schema_version");
    return (int) row.longValue(0);
  }

  private static String load(String script) {
    try (InputStream in = CatalogMigrator.class.getResourceAsStream(script)) {
      if (in == null) {
        throw new IllegalStateException("missing catalog migration " + script);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
