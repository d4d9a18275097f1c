package io.pgtrickle.server;

import io.pgtrickle.testing.TestDatabase;
import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import java.util.function.UnaryOperator;

/**
 * A {@link ProxyServer} on a free loopback port in front of a test database's server, and
 * connections through it.
 */
final class TestProxy implements AutoCloseable {
  private final ProxyServer server;
  private final TestDatabase db;

  private TestProxy(ProxyServer server, TestDatabase db) {
    this.server = server;
    this.db = db;
  }

  /** A proxy with the default configuration in front of {@code db}'s server. */
  static TestProxy start(TestDatabase db) throws Exception {
    return start(db, UnaryOperator.identity());
  }

  /** A proxy in front of {@code db}'s server, its configuration adjusted by {@code configure}. */
  static TestProxy start(TestDatabase db, UnaryOperator<ProxyConfig> configure) throws Exception {
    ProxyConfig config =
        configure.apply(
            ProxyConfig.forUpstream(db.host(), db.port())
                .withListen(new InetSocketAddress("127.0.0.1", 0)));
    return new TestProxy(ProxyServer.start(config), db);
  }

  ProxyServer server() {
    return server;
  }

  String host() {
    return server.address().getHostString();
  }

  int port() {
    return server.address().getPort();
  }

  /** {@code jdbc:postgresql://proxy/db?extra}: plain pgjdbc pointed at the proxy. */
  String jdbcUrl(String extraParameters) {
    return "jdbc:postgresql://"
        + host()
        + ":"
        + port()
        + "/"
        + db.databaseName()
        + (extraParameters.isEmpty() ? "" : "?" + extraParameters);
  }

  /** A pgjdbc connection through the proxy as the administrator, with extra URL parameters. */
  Connection connect(String extraParameters) throws SQLException {
    Properties props = db.properties();
    return DriverManager.getConnection(jdbcUrl(extraParameters), props);
  }

  /** A pgjdbc connection through the proxy as the administrator. */
  Connection connect() throws SQLException {
    return connect("");
  }

  @Override
  public void close() {
    server.close();
  }
}
