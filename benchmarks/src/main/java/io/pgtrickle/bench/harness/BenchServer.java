package io.pgtrickle.bench.harness;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Comparator;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * The PostgreSQL a harness runs against: an embedded PostgreSQL 18 in a fresh temporary directory
 * (deleted afterwards), or a server the user names by URL.
 */
final class BenchServer implements AutoCloseable {
  private final String plainUrl;
  private final Properties properties;
  private final EmbeddedPostgres embedded;
  private final Path dataDir;

  private BenchServer(
      String plainUrl, Properties properties, EmbeddedPostgres embedded, Path dataDir) {
    this.plainUrl = plainUrl;
    this.properties = properties;
    this.embedded = embedded;
    this.dataDir = dataDir;
  }

  /**
   * Starts an embedded server with PostgreSQL's defaults except: {@code shared_buffers} 1GB so the
   * largest default size stays in memory, {@code max_wal_size} 4GB so loading does not force
   * checkpoints mid-run, {@code autovacuum} off (the harness vacuums explicitly between cycles),
   * and {@code synchronous_commit} as given (PostgreSQL's default is on).
   */
  static BenchServer embedded(boolean synchronousCommit, Path explainLog, int explainMinMs)
      throws IOException, SQLException {
    Path dir = Files.createTempDirectory("pgtrickle-refresh-bench");
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
    if (explainLog != null) {
      // Profiling only: every statement slower than the threshold is logged with its plan and
      // actual row counts and times; the instrumentation itself slows statements down.
      builder
          .setServerConfig("shared_preload_libraries", "auto_explain")
          .setServerConfig("auto_explain.log_min_duration", explainMinMs + "ms")
          .setServerConfig("auto_explain.log_analyze", "on")
          .setServerConfig("auto_explain.log_buffers", "on")
          .setServerConfig("auto_explain.log_nested_statements", "on")
          .setErrorRedirector(ProcessBuilder.Redirect.appendTo(explainLog.toFile()))
          .setOutputRedirector(ProcessBuilder.Redirect.appendTo(explainLog.toFile()));
    }
    EmbeddedPostgres pg =
        builder
            .setDataDirectory(dir)
            .setCleanDataDirectory(true)
            .setPGStartupWait(Duration.ofSeconds(60))
            .setLocaleConfig("locale", "C")
            .setServerConfig("timezone", "UTC")
            .setServerConfig("shared_buffers", "1GB")
            .setServerConfig("max_wal_size", "4GB")
            .setServerConfig("autovacuum", "off")
            .setServerConfig("synchronous_commit", synchronousCommit ? "on" : "off")
            .start();
    String admin = "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres";
    Properties props = new Properties();
    props.setProperty("user", "postgres");
    try (Connection c = DriverManager.getConnection(admin, props);
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE refresh_bench");
    }
    return new BenchServer(
        "jdbc:postgresql://localhost:" + pg.getPort() + "/refresh_bench", props, pg, dir);
  }

  /**
   * A server given by URL ({@code jdbc:postgresql://…} or {@code jdbc:pgtrickle:postgresql://…},
   * with any pgjdbc properties), with optional user and password.
   */
  static BenchServer external(String url, String user, String password) {
    Properties props = new Properties();
    if (user != null) {
      props.setProperty("user", user);
    }
    if (password != null) {
      props.setProperty("password", password);
    }
    String plain = url.replaceFirst("^jdbc:pgtrickle:postgresql:", "jdbc:postgresql:");
    return new BenchServer(plain, props, null, null);
  }

  /** A plain pgjdbc connection. */
  Connection connectPlain() throws SQLException {
    return DriverManager.getConnection(plainUrl, properties);
  }

  /** A connection through the pg_trickle driver with its embedded scheduler off. */
  Connection connectApi() throws SQLException {
    Properties p = new Properties();
    p.putAll(properties);
    p.setProperty("pgtrickle.scheduler", "false");
    return DriverManager.getConnection(
        plainUrl.replaceFirst("^jdbc:postgresql:", "jdbc:pgtrickle:postgresql:"), p);
  }

  boolean isEmbedded() {
    return embedded != null;
  }

  @Override
  public void close() throws IOException {
    if (embedded == null) {
      return;
    }
    embedded.close();
    if (!Files.exists(dataDir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dataDir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
