package io.pgtrickle.testing;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one PostgreSQL server of this JVM, chosen on first use: the server named by {@code
 * PGTRICKLE_TEST_URL} (or {@code -Dpgtrickle.test.url}) if set, else an embedded PostgreSQL 18;
 * with {@code -Dpgtrickle.pgbouncer=true}, tests reach it through a {@link PgBouncer} in
 * transaction pooling mode.
 */
final class SharedServer {

  private static final String URL_ENV = "PGTRICKLE_TEST_URL";
  private static final String URL_PROPERTY = "pgtrickle.test.url";

  /** {@code DROP DATABASE ... WITH (FORCE)} arrived in PostgreSQL 13. */
  private static final int MIN_VERSION_NUM = 130_000;

  private static final Logger LOG = LoggerFactory.getLogger(SharedServer.class);

  // A lock rather than synchronized: starting the server is slow I/O.
  private static final ReentrantLock LOCK = new ReentrantLock();
  private static volatile Started started;
  private static RuntimeException startFailure;

  /**
   * A server that is up, its {@code server_version_num}, whether we started it, and the PgBouncer
   * in front of it (null when tests connect directly).
   *
   * @param endpoint the server itself, where databases and roles are created and dropped
   */
  record Started(ServerEndpoint endpoint, int versionNum, boolean embedded, PgBouncer bouncer) {
    /** Where tests' clients connect: through PgBouncer if there is one, else to the server. */
    ServerEndpoint clientEndpoint() {
      return bouncer == null ? endpoint : bouncer.endpoint();
    }
  }

  private SharedServer() {}

  /**
   * Returns the server, starting or connecting to it on the first call. A failure is remembered, so
   * that every later test class fails at once with the same cause instead of retrying a slow start.
   */
  static Started get() {
    Started current = started;
    if (current != null) {
      return current;
    }
    LOCK.lock();
    try {
      if (started == null) {
        if (startFailure != null) {
          throw new IllegalStateException("test PostgreSQL failed to start earlier", startFailure);
        }
        try {
          started = connect();
        } catch (RuntimeException e) {
          startFailure = e;
          throw e;
        }
      }
      return started;
    } finally {
      LOCK.unlock();
    }
  }

  private static Started connect() {
    String property = System.getProperty(URL_PROPERTY, "");
    String env = System.getenv().getOrDefault(URL_ENV, "");
    // The property wins: it is the narrower, per-run setting.
    String source = !property.isBlank() ? "-D" + URL_PROPERTY : !env.isBlank() ? URL_ENV : null;
    String url = !property.isBlank() ? property : env;
    ServerEndpoint endpoint = source == null ? EmbeddedServer.start() : ServerEndpoint.parse(url);
    int versionNum;
    try (Connection c = endpoint.connectAdmin();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SHOW server_version_num")) {
      rs.next();
      versionNum = rs.getInt(1);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot connect to the test PostgreSQL at "
              + endpoint.describe()
              + (source == null ? "" : " (from " + source + ")"),
          e);
    }
    if (versionNum < MIN_VERSION_NUM) {
      throw new IllegalStateException(
          "test PostgreSQL at "
              + endpoint.describe()
              + " is version "
              + versionNum
              + "; tests need 13 or later");
    }
    if (source != null) {
      LOG.info("using PostgreSQL {} at {} from {}", versionNum, endpoint.describe(), source);
    }
    PgBouncer bouncer = PgBouncer.requested() ? PgBouncer.start(endpoint) : null;
    return new Started(endpoint, versionNum, source == null, bouncer);
  }
}
