package io.pgtrickle.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtrickle.engine.catalog.CatalogMigrator;
import io.pgtrickle.engine.session.JdbcSqlSession;
import io.pgtrickle.server.protocol.LeakCheckExtension;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS on both sides of the proxy and every password method relayed through it, against a PostgreSQL
 * of the test's own with {@code ssl=on} and a pg_hba.conf that demands SCRAM, MD5, cleartext
 * passwords and TLS for different roles. The proxy never sees a password it could use: it only
 * relays the exchange.
 */
@ExtendWith(LeakCheckExtension.class)
class ProxyTlsAuthIT {
  private static final String PASSWORD = "s3cret-é";

  @TempDir static Path dir;

  private static EmbeddedPostgres postgres;
  private static Path caCert;
  private static Path serverCert;
  private static Path serverKey;
  private static final List<ProxyServer> proxies = new ArrayList<>();

  /** Proxy offering TLS to clients, plain to the server. */
  private static ProxyServer clientTls;

  /** Proxy with TLS to the server (no certificate check), none offered to clients. */
  private static ProxyServer upstreamTls;

  /** Proxy with TLS on both sides, checking the server's certificate and host name. */
  private static ProxyServer bothVerified;

  @BeforeAll
  static void startServerAndProxies() throws Exception {
    caCert = resource("ca.crt");
    serverCert = resource("server.crt");
    serverKey = resource("server.key");
    // PostgreSQL refuses a key file that others may read.
    Files.setPosixFilePermissions(serverKey, PosixFilePermissions.fromString("rw-------"));
    postgres =
        EmbeddedPostgres.builder()
            .setPGStartupWait(Duration.ofSeconds(60))
            .setLocaleConfig("locale", "C")
            .setServerConfig("fsync", "off")
            .setServerConfig("ssl", "on")
            .setServerConfig("ssl_cert_file", serverCert.toString())
            .setServerConfig("ssl_key_file", serverKey.toString())
            .setServerConfig("password_encryption", "scram-sha-256")
            .start();
    try (Connection c = admin();
        Statement s = c.createStatement()) {
      s.execute("CREATE ROLE scram_user LOGIN PASSWORD '" + PASSWORD + "'");
      s.execute("CREATE ROLE clear_user LOGIN PASSWORD '" + PASSWORD + "'");
      s.execute("CREATE ROLE ssl_only LOGIN PASSWORD '" + PASSWORD + "'");
      s.execute("SET password_encryption = 'md5'");
      s.execute("CREATE ROLE md5_user LOGIN PASSWORD '" + PASSWORD + "'");
      s.execute("GRANT CREATE ON SCHEMA public TO scram_user");
      CatalogMigrator.migrate(new JdbcSqlSession(c));
      Path hba = Path.of(query(s, "SHOW hba_file"));
      // First match wins; the administrator keeps trust so the test can set things up.
      Files.writeString(
          hba,
          String.join(
              "\n",
              "local all all trust",
              "hostssl all ssl_only 127.0.0.1/32 scram-sha-256",
              "host all ssl_only 127.0.0.1/32 reject",
              "host all scram_user 127.0.0.1/32 scram-sha-256",
              "host all md5_user 127.0.0.1/32 md5",
              "host all clear_user 127.0.0.1/32 password",
              "host all all 127.0.0.1/32 trust",
              "host all all ::1/128 trust",
              ""));
      s.execute("SELECT pg_reload_conf()");
    }
    clientTls = proxy(config().withTls(serverCert, serverKey));
    upstreamTls = proxy(config().withUpstreamSsl(UpstreamSslMode.REQUIRE, null));
    bothVerified =
        proxy(
            config()
                .withTls(serverCert, serverKey)
                .withUpstreamSsl(UpstreamSslMode.VERIFY_FULL, caCert));
  }

  @AfterAll
  static void stop() throws IOException {
    proxies.forEach(ProxyServer::close);
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  void everyPasswordMethodIsRelayed() throws SQLException {
    for (String role : List.of("scram_user", "md5_user", "clear_user")) {
      try (Connection c = connect(clientTls, role, PASSWORD, "")) {
        assertThat(query(c, "SELECT current_user")).as(role).isEqualTo(role);
      }
    }
  }

  @Test
  void aWrongPasswordIsTheServersError() {
    for (String role : List.of("scram_user", "md5_user", "clear_user")) {
      assertThatThrownBy(() -> connect(clientTls, role, "wrong", "").close())
          .as(role)
          .isInstanceOf(SQLException.class)
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28P01"))
          .hasMessageContaining("password authentication failed for user \"" + role + "\"");
    }
  }

  @Test
  void clientsMayUseTlsToTheProxy() throws SQLException {
    // verify-full proves the proxy presented the configured certificate for this host name.
    String tls = "sslmode=verify-full&sslrootcert=" + caCert;
    try (Connection c = connect(clientTls, "scram_user", PASSWORD, tls)) {
      assertThat(query(c, "SELECT current_user")).isEqualTo("scram_user");
      // The proxy's own link to the server is plain here.
      assertThat(query(c, "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"))
          .isEqualTo("f");
    }
  }

  @Test
  void aProxyWithoutCertificateRefusesTls() {
    assertThatThrownBy(
            () -> connect(upstreamTls, "scram_user", PASSWORD, "sslmode=require").close())
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("does not support SSL");
  }

  @Test
  void theProxyMayUseTlsToTheServer() throws SQLException {
    try (Connection c = connect(upstreamTls, "scram_user", PASSWORD, "")) {
      assertThat(query(c, "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"))
          .isEqualTo("t");
    }
  }

  @Test
  void serverSideTlsRulesSeeTheProxysTls() throws SQLException {
    try (Connection c = connect(upstreamTls, "ssl_only", PASSWORD, "")) {
      assertThat(query(c, "SELECT current_user")).isEqualTo("ssl_only");
    }
    assertThatThrownBy(() -> connect(clientTls, "ssl_only", PASSWORD, "").close())
        .isInstanceOf(SQLException.class)
        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28000"));
  }

  @Test
  void scramChannelBindingWorksWhenTheProxyPresentsTheServersCertificate() throws SQLException {
    // tls-server-end-point binds to the certificate the client saw; it matches what the server
    // checks only because this proxy presents the server's own certificate (see docs/PROXY.md).
    String tls = "sslmode=verify-full&sslrootcert=" + caCert + "&channelBinding=require";
    try (Connection c = connect(bothVerified, "scram_user", PASSWORD, tls)) {
      assertThat(query(c, "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"))
          .isEqualTo("t");
    }
  }

  @Test
  void anUntrustedServerCertificateEndsTheSessionWithAClearError() throws Exception {
    // The JVM's trust store does not know the test CA.
    ProxyServer untrusted = proxy(config().withUpstreamSsl(UpstreamSslMode.VERIFY_FULL, null));
    assertThatThrownBy(() -> connect(untrusted, "scram_user", PASSWORD, "").close())
        .isInstanceOf(SQLException.class)
        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08001"))
        .hasMessageContaining("TLS handshake with the upstream server failed");
  }

  @Test
  void apiCallsWorkOverTlsOnBothSides() throws SQLException {
    String tls = "sslmode=verify-full&sslrootcert=" + caCert;
    try (Connection c = connect(bothVerified, "scram_user", PASSWORD, tls);
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE tls_orders (id int PRIMARY KEY, region text, amount int)");
      s.execute("INSERT INTO tls_orders VALUES (1, 'EU', 10), (2, 'US', 5), (3, 'EU', 1)");
      s.execute(
          "SELECT pgtrickle.create_stream_table('tls_totals', $$SELECT region, sum(amount) AS"
              + " total FROM tls_orders GROUP BY region$$, refresh_mode => 'DIFFERENTIAL')");
      s.execute("INSERT INTO tls_orders VALUES (4, 'US', 7)");
      s.execute("SELECT pgtrickle.refresh_stream_table('tls_totals')");
      assertThat(
              query(
                  c,
                  "SELECT string_agg(region || '=' || total, ',' ORDER BY region) FROM tls_totals"))
          .isEqualTo("EU=11,US=12");
      assertThat(
              query(
                  c,
                  "SELECT action FROM pgtrickle.pgt_refresh_history ORDER BY refresh_id DESC"
                      + " LIMIT 1"))
          .isEqualTo("DIFFERENTIAL");
    }
  }

  @Test
  void psqlConnectsWithTlsThroughTheProxy() throws Exception {
    InetSocketAddress at = clientTls.address();
    ProcessBuilder pb =
        new ProcessBuilder(
                "psql",
                "-X",
                "-A",
                "-t",
                "-c",
                "SELECT current_user",
                "host="
                    + at.getHostString()
                    + " port="
                    + at.getPort()
                    + " dbname=postgres user=scram_user sslmode=verify-full sslrootcert="
                    + caCert)
            .redirectErrorStream(true);
    pb.environment().put("PGPASSWORD", PASSWORD);
    Process p = pb.start();
    // A hang guard, not a speed check.
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).isEqualTo("scram_user");
  }

  private static ProxyConfig config() {
    return ProxyConfig.forUpstream("127.0.0.1", postgres.getPort())
        .withListen(new InetSocketAddress("127.0.0.1", 0));
  }

  private static ProxyServer proxy(ProxyConfig config) throws Exception {
    ProxyServer p = ProxyServer.start(config);
    proxies.add(p);
    return p;
  }

  private static Connection connect(
      ProxyServer proxy, String user, String password, String parameters) throws SQLException {
    InetSocketAddress at = proxy.address();
    Properties props = new Properties();
    props.setProperty("user", user);
    props.setProperty("password", password);
    if (!parameters.contains("sslmode")) {
      props.setProperty("sslmode", "disable");
    }
    String url =
        "jdbc:postgresql://localhost:"
            + at.getPort()
            + "/postgres"
            + (parameters.isEmpty() ? "" : "?" + parameters);
    return DriverManager.getConnection(url, props);
  }

  private static Connection admin() throws SQLException {
    return DriverManager.getConnection(
        "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres?sslmode=disable",
        "postgres",
        null);
  }

  private static String query(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      return query(s, sql);
    }
  }

  private static String query(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      assertThat(rs.next()).as(sql).isTrue();
      return rs.getString(1);
    }
  }

  private static Path resource(String name) throws IOException {
    Path target = dir.resolve(name);
    try (InputStream in = ProxyTlsAuthIT.class.getResourceAsStream("/tls/" + name)) {
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    }
    return target;
  }
}
