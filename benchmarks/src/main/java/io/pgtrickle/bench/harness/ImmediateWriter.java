package io.pgtrickle.bench.harness;

import java.sql.Connection;
import java.sql.SQLException;

/** The path a writer's statements take to PostgreSQL. */
enum ImmediateWriter {
  /** Plain pgjdbc straight to the server: no interception, so valid only without IMMEDIATE. */
  DIRECT("pgjdbc direct"),
  /** The pg_trickle JDBC driver. */
  DRIVER("pgtrickle driver"),
  /** Plain pgjdbc (extended protocol) through the proxy. */
  PROXY("pgjdbc via proxy"),
  /** Plain pgjdbc with {@code preferQueryMode=simple} through the proxy. */
  PROXY_SIMPLE("pgjdbc simple via proxy");

  private final String label;

  ImmediateWriter(String label) {
    this.label = label;
  }

  String label() {
    return label;
  }

  boolean viaProxy() {
    return this == PROXY || this == PROXY_SIMPLE;
  }

  /** Whether this path may write the source of {@code shape} and keep it correct. */
  boolean valid(ImmediateShape shape) {
    return this != DIRECT || !shape.immediate();
  }

  Connection connect(ImmediateServer server, ImmediateProxy proxy) throws SQLException {
    return switch (this) {
      case DIRECT -> server.direct();
      case DRIVER -> server.driver();
      case PROXY -> server.throughProxy(proxy.port(), false);
      case PROXY_SIMPLE -> server.throughProxy(proxy.port(), true);
    };
  }
}
