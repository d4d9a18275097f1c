package io.pgtrickle.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates a test class's database on the shared server, and drops it with its roles afterwards. */
final class DatabaseLifecycle {

  private static final Logger LOG = LoggerFactory.getLogger(DatabaseLifecycle.class);

  /** SQLSTATE duplicate_database. */
  private static final String DUPLICATE_DATABASE = "42P04";

  /** Plenty for names left behind by killed runs or taken by other JVMs on a shared server. */
  private static final int MAX_NAME_ATTEMPTS = 100;

  private DatabaseLifecycle() {}

  /** Creates a new, empty database named after {@code testClass}. */
  static TestDatabase create(Class<?> testClass) {
    SharedServer.Started server = SharedServer.get();
    if (server.bouncer() != null) {
      server.bouncer().checkRunning();
    }
    for (int attempt = 1; ; attempt++) {
      String name = DatabaseNames.next(testClass);
      try (Connection c = server.endpoint().connectAdmin();
          Statement s = c.createStatement()) {
        s.execute("CREATE DATABASE " + c.unwrap(PGConnection.class).escapeIdentifier(name));
        LOG.debug("created database {} for {}", name, testClass.getName());
        return new TestDatabase(server, name);
      } catch (SQLException e) {
        // The counter is per JVM: a killed run, or another JVM on the same server, may hold a name.
        if (DUPLICATE_DATABASE.equals(e.getSQLState()) && attempt < MAX_NAME_ATTEMPTS) {
          continue;
        }
        throw new IllegalStateException(
            "could not create database "
                + name
                + " for "
                + testClass.getName()
                + " on "
                + server.endpoint().describe(),
            e);
      }
    }
  }

  /**
   * Drops the database even while clients (a proxy, a scheduler) are still connected, then the
   * roles created in it. Every step is attempted; the first failure is thrown with the rest
   * suppressed.
   */
  static void drop(TestDatabase db) throws SQLException {
    SQLException failure = null;
    try (Connection c = db.server().connectAdmin()) {
      PGConnection pg = c.unwrap(PGConnection.class);
      try {
        dropReplicationSlots(c, db);
        try (Statement s = c.createStatement()) {
          s.execute(
              "DROP DATABASE IF EXISTS "
                  + pg.escapeIdentifier(db.databaseName())
                  + " WITH (FORCE)");
        }
      } catch (SQLException e) {
        failure = new SQLException("could not drop test database " + db.databaseName(), e);
      }
      for (String role : db.createdRoles()) {
        try (Statement s = c.createStatement()) {
          s.execute("DROP ROLE IF EXISTS " + pg.escapeIdentifier(role));
        } catch (SQLException e) {
          SQLException roleFailure = new SQLException("could not drop test role " + role, e);
          if (failure == null) {
            failure = roleFailure;
          } else {
            failure.addSuppressed(roleFailure);
          }
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
    LOG.debug("dropped database {}", db.databaseName());
  }

  /**
   * DROP DATABASE refuses while a logical replication slot belongs to the database, even WITH
   * (FORCE); change capture over logical decoding leaves such slots behind.
   */
  private static void dropReplicationSlots(Connection c, TestDatabase db) throws SQLException {
    String terminate =
        db.serverVersionNum() >= 140_000
            // Waits until the walsender has exited, so its slot is no longer active.
            ? "SELECT pg_terminate_backend(active_pid, 10000) FROM pg_replication_slots"
                + " WHERE database = ? AND active_pid IS NOT NULL"
            : "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots"
                + " WHERE database = ? AND active_pid IS NOT NULL";
    try (PreparedStatement ps = c.prepareStatement(terminate)) {
      ps.setString(1, db.databaseName());
      ps.execute();
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                + " WHERE database = ?")) {
      ps.setString(1, db.databaseName());
      ps.execute();
    }
  }
}
