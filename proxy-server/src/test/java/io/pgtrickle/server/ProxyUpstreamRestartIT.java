package io.pgtrickle.server;

import static io.pgtrickle.server.FaultAssertions.assertConnectionLost;
import static io.pgtrickle.server.FaultAssertions.assertEndedByServer;
import static io.pgtrickle.server.RawClient.queryMessage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import io.pgtrickle.server.RawClient.Message;
import io.pgtrickle.server.protocol.LeakCheckExtension;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A proxy in front of a PostgreSQL server that restarts: its sessions end with an error instead of
 * hanging, and once the server is back, new sessions work and find the data committed before.
 */
// Runs its own server, whichever server the other tests use: stopping a shared one would break
// them.
@ExtendWith(LeakCheckExtension.class)
class ProxyUpstreamRestartIT {
  private static final String USER = "postgres";
  private static final String DATABASE = "postgres";

  @TempDir Path dir;

  @Test
  void sessionsEndWithAnErrorAndNewOnesWorkAfterTheServerRestarts() throws Exception {
    int port = unusedPort();
    try (RestartableServer server = new RestartableServer(dir.resolve("data"), port);
        ProxyServer proxy =
            ProxyServer.start(
                ProxyConfig.forUpstream("127.0.0.1", port)
                    .withListen(new InetSocketAddress("127.0.0.1", 0)))) {
      String url = "jdbc:postgresql://127.0.0.1:" + proxy.address().getPort() + "/" + DATABASE;
      try (Connection c = connect(url);
          Statement s = c.createStatement()) {
        s.execute("CREATE TABLE kept (id int)");
        s.execute("INSERT INTO kept VALUES (1), (2), (3)");
      }
      Connection inTransaction = connect(url);
      inTransaction.setAutoCommit(false);
      try (Statement s = inTransaction.createStatement()) {
        s.execute("INSERT INTO kept VALUES (99)");
      }
      RawClient idle = login(proxy, "restart_idle");
      RawClient busy = login(proxy, "restart_busy");
      busy.send(queryMessage("SELECT pg_sleep(30)"));
      server.awaitActive("restart_busy");

      server.stop();

      assertEndedByServer(idle.readUntilClosed());
      assertEndedByServer(busy.readUntilClosed());
      assertConnectionLost(() -> inTransaction.createStatement().execute("SELECT 1"));
      idle.close();
      busy.close();
      inTransaction.close();

      assertThatExceptionOfType(SQLException.class)
          .as("a new session while the server is down")
          .isThrownBy(() -> connect(url).close())
          .withMessageContaining("127.0.0.1:" + port)
          .extracting(SQLException::getSQLState)
          .isEqualTo("08001");

      server.start();

      try (Connection c = connect(url);
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT array_agg(id ORDER BY id)::text FROM kept")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("{1,2,3}");
      }
      try (RawClient again = login(proxy, "restart_again")) {
        assertThat(again.query("SELECT 1")).noneMatch(Message::isError);
      }
    }
  }

  private static Connection connect(String url) throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", USER);
    // Only a hang guard.
    props.setProperty("socketTimeout", Long.toString(RawClient.HANG_GUARD.toSeconds()));
    return DriverManager.getConnection(url, props);
  }

  private static RawClient login(ProxyServer proxy, String applicationName) throws IOException {
    InetSocketAddress address = proxy.address();
    RawClient client = RawClient.connect(address.getHostString(), address.getPort());
    client.login(USER, DATABASE, null, Map.of("application_name", applicationName));
    return client;
  }

  private static int unusedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** An embedded PostgreSQL on a fixed port and data directory, so it can come back as it was. */
  private static final class RestartableServer implements AutoCloseable {
    private final Path dataDir;
    private final int port;
    private EmbeddedPostgres running;

    RestartableServer(Path dataDir, int port) throws IOException {
      this.dataDir = dataDir;
      this.port = port;
      start();
    }

    void start() throws IOException {
      running =
          EmbeddedPostgres.builder()
              .setDataDirectory(dataDir)
              .setCleanDataDirectory(false)
              .setPort(port)
              .setPGStartupWait(Duration.ofSeconds(60))
              .setLocaleConfig("locale", "C")
              // A clean shutdown writes everything out anyway; the test needs no more durability.
              .setServerConfig("fsync", "off")
              .setServerConfig("listen_addresses", "127.0.0.1")
              .start();
    }

    /** Stops it as pg_ctl's fast mode does: every session is told to end (57P01). */
    void stop() throws IOException {
      EmbeddedPostgres s = running;
      running = null;
      s.close();
    }

    void awaitActive(String applicationName) throws SQLException, InterruptedException {
      long deadline = System.nanoTime() + RawClient.HANG_GUARD.toNanos();
      String url = "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
      try (Connection c = connect(url);
          Statement s = c.createStatement()) {
        while (true) {
          try (ResultSet rs =
              s.executeQuery(
                  "SELECT count(*) FROM pg_stat_activity WHERE state = 'active'"
                      + " AND application_name = '"
                      + applicationName
                      + "'")) {
            rs.next();
            if (rs.getInt(1) > 0) {
              return;
            }
          }
          assertThat(System.nanoTime()).as("waiting for a busy backend").isLessThan(deadline);
          Thread.sleep(50);
        }
      }
    }

    @Override
    public void close() throws IOException {
      if (running != null) {
        stop();
      }
    }
  }
}
