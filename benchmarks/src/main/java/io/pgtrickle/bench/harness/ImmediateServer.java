package io.pgtrickle.bench.harness;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

/**
 * The PostgreSQL that {@link ImmediateBench} and {@link CaptureBench} write to: a given server
 * ({@code postgresql://USER[:PASSWORD]@HOST:PORT/DB}, the proxy's {@code --upstream} form), or an
 * embedded PostgreSQL 18 in a temporary directory that is removed on close.
 */
final class ImmediateServer implements AutoCloseable {
  private final String host;
  private final int port;
  private final String database;
  private final String user;
  private final String password;
  private final EmbeddedPostgres embedded;

  private ImmediateServer(
      String host,
      int port,
      String database,
      String user,
      String password,
      EmbeddedPostgres embedded) {
    this.host = host;
    this.port = port;
    this.database = database;
    this.user = user;
    this.password = password;
    this.embedded = embedded;
  }

  /**
   * Connects to {@code url}, or starts an embedded server when it is null, with {@code settings}
   * ({@code name=value}, e.g. {@code log_min_duration_statement=0} to see what a flush runs).
   */
  static ImmediateServer open(String url, List<String> settings) throws IOException {
    if (url == null) {
      Path dir = Files.createTempDirectory("pgtrickle-bench-pg");
      EmbeddedPostgres.Builder b =
          EmbeddedPostgres.builder()
              .setDataDirectory(dir)
              .setCleanDataDirectory(true)
              .setPGStartupWait(Duration.ofSeconds(60))
              .setLocaleConfig("locale", "C")
              .setServerConfig("timezone", "UTC");
      for (String setting : settings) {
        int eq = setting.indexOf('=');
        if (eq <= 0) {
          throw new IllegalArgumentException("--pg-setting: expected NAME=VALUE, got " + setting);
        }
        b.setServerConfig(setting.substring(0, eq), setting.substring(eq + 1));
      }
      EmbeddedPostgres pg = b.start();
      return new ImmediateServer("127.0.0.1", pg.getPort(), "postgres", "postgres", null, pg);
    }
    if (!settings.isEmpty()) {
      throw new IllegalArgumentException("--pg-setting applies to the embedded server only");
    }
    URI uri = URI.create(url);
    if (!"postgresql".equals(uri.getScheme()) || uri.getHost() == null) {
      throw new IllegalArgumentException(
          "--url: expected postgresql://USER[:PASSWORD]@HOST:PORT/DB, got " + url);
    }
    String info = uri.getRawUserInfo() == null ? "postgres" : uri.getRawUserInfo();
    int colon = info.indexOf(':');
    String u = decode(colon < 0 ? info : info.substring(0, colon));
    String pw = colon < 0 ? null : decode(info.substring(colon + 1));
    String path = uri.getPath();
    String db = path == null || path.length() <= 1 ? "postgres" : path.substring(1);
    int p = uri.getPort() < 0 ? 5432 : uri.getPort();
    return new ImmediateServer(uri.getHost(), p, db, u, pw, null);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  /** The proxy's {@code --upstream} for this server. */
  String upstream() {
    String auth = user + (password == null ? "" : ":" + password);
    return "postgresql://" + auth + "@" + host + ":" + port + "/" + database;
  }

  /** A plain pgjdbc connection straight to the server. */
  Connection direct() throws SQLException {
    return connect("jdbc:postgresql://" + host + ":" + port + "/" + database, new Properties());
  }

  /** A pg_trickle driver connection, with no scheduler in this JVM. */
  Connection driver() throws SQLException {
    Properties p = new Properties();
    p.setProperty("pgtrickle.scheduler", "false");
    return connect("jdbc:pgtrickle:postgresql://" + host + ":" + port + "/" + database, p);
  }

  /** A plain pgjdbc connection to a proxy on the loopback port {@code proxyPort}. */
  Connection throughProxy(int proxyPort, boolean simpleProtocol) throws SQLException {
    Properties p = new Properties();
    if (simpleProtocol) {
      p.setProperty("preferQueryMode", "simple");
    }
    return connect("jdbc:postgresql://127.0.0.1:" + proxyPort + "/" + database, p);
  }

  private Connection connect(String url, Properties p) throws SQLException {
    p.setProperty("user", user);
    if (password != null) {
      p.setProperty("password", password);
    }
    return DriverManager.getConnection(url, p);
  }

  /** The server's version and the settings that bear on write latency, for the record. */
  String describe() throws SQLException {
    try (Connection c = direct();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT current_setting('server_version'), current_setting('fsync'),"
                    + " current_setting('synchronous_commit'), current_setting('shared_buffers')")) {
      rs.next();
      return "PostgreSQL "
          + rs.getString(1)
          + (embedded != null ? " (embedded)" : " at " + host + ":" + port)
          + ", fsync="
          + rs.getString(2)
          + ", synchronous_commit="
          + rs.getString(3)
          + ", shared_buffers="
          + rs.getString(4);
    }
  }

  @Override
  public void close() throws IOException {
    if (embedded == null) {
      return;
    }
    // setCleanDataDirectory(true) removes the data directory.
    embedded.close();
  }
}
