package io.pgtrickle.server;

import io.pgtrickle.engine.api.ApiExecutor;
import io.pgtrickle.engine.catalog.CatalogMigrator;
import io.pgtrickle.errors.PgTrickleException;
import io.pgtrickle.errors.SqlState;
import io.pgtrickle.sql.api.ApiCall;
import java.sql.SQLException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Carries out one API call on an engine thread, over a client's upstream connection. */
final class ApiCallRunner {
  private static final Logger LOG = LoggerFactory.getLogger(ApiCallRunner.class);

  private ApiCallRunner() {}

  /**
   * Runs the call (or reports why it was rejected) and returns the error to send the client, or
   * null on success.
   *
   * @param call the call, or null when {@code rejected} says why it could not be recognised
   * @param inTransaction whether the client's connection is inside a transaction block
   * @param db the client's database, for the catalog check
   */
  static PgTrickleException run(
      ProxyServer proxy,
      UpstreamLink link,
      ApiCall call,
      List<Object> values,
      PgTrickleException rejected,
      boolean inTransaction,
      String db) {
    WireSqlSession session = new WireSqlSession(link, inTransaction);
    return guard(
        () -> {
          if (rejected != null) {
            throw ApiExecutor.rejected(session, rejected);
          }
          ensureCatalog(proxy, session, db);
          ApiExecutor.execute(session, call, values);
        },
        "API call " + call);
  }

  /** Engine work that may fail like JDBC. */
  @FunctionalInterface
  interface EngineWork {
    void run() throws SQLException;
  }

  /**
   * Runs {@code work} and returns its failure as the error to send the client, or null.
   *
   * @param what names the work in the log, should it fail unexpectedly
   */
  static PgTrickleException guard(EngineWork work, String what) {
    try {
      work.run();
      return null;
    } catch (PgTrickleException e) {
      return e;
    } catch (SQLException e) {
      return PgTrickleException.builder(
              e.getSQLState() == null ? SqlState.INTERNAL_ERROR.code() : e.getSQLState(),
              e.getMessage())
          .cause(e)
          .build();
    } catch (RuntimeException e) {
      LOG.error("pg_trickle {} failed unexpectedly", what, e);
      return PgTrickleException.builder(
              SqlState.INTERNAL_ERROR, "internal error in pg_trickle: " + e)
          .cause(e)
          .build();
    }
  }

  /**
   * Installs or upgrades the catalog in this database at the first API call through this proxy
   * (outside a transaction block, since migrations commit on their own). Inside a block, a database
   * without any catalog gets an error that says so, instead of the call failing on whichever
   * catalog table it reads first.
   */
  private static void ensureCatalog(ProxyServer proxy, WireSqlSession session, String db)
      throws SQLException {
    if (proxy.catalogChecked(db)) {
      return;
    }
    if (session.inTransaction()) {
      int installed = CatalogMigrator.installedVersion(session);
      if (installed == 0) {
        throw ApiExecutor.rejected(
            session,
            PgTrickleException.builder(
                    SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE,
                    "the pg_trickle catalog is not installed in database \""
                        + db
                        + "\", and it cannot be installed inside a transaction block")
                .hint(
                    "Make one pg_trickle call outside a transaction block (the proxy installs the"
                        + " catalog first), then run this transaction again.")
                .build());
      }
      if (installed == CatalogMigrator.CURRENT_VERSION) {
        proxy.markCatalogChecked(db);
      }
      return;
    }
    try {
      CatalogMigrator.migrate(session);
      proxy.markCatalogChecked(db);
    } catch (PgTrickleException e) {
      // A role that may not create the catalog can still call the API if it exists.
      LOG.warn("could not install the pg_trickle catalog in database {}: {}", db, e.getMessage());
    }
  }
}
