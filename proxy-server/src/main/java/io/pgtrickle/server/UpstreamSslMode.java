package io.pgtrickle.server;

import java.util.Locale;

/** Whether the proxy talks TLS to the upstream server, named after libpq's {@code sslmode}. */
public enum UpstreamSslMode {
  /** Plain TCP. */
  DISABLE,
  /** TLS if the server offers it, without checking its certificate; else plain. */
  PREFER,
  /** TLS without checking the server's certificate; fail if the server refuses. */
  REQUIRE,
  /** TLS with the certificate checked against the root certificate and the host name. */
  VERIFY_FULL;

  /**
   * Parses a libpq {@code sslmode} value ({@code allow} counts as prefer, {@code verify-ca} as
   * verify-full).
   */
  public static UpstreamSslMode parse(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "disable" -> DISABLE;
      case "allow", "prefer" -> PREFER;
      case "require" -> REQUIRE;
      case "verify-ca", "verify-full" -> VERIFY_FULL;
      default ->
          throw new IllegalArgumentException(
              "invalid sslmode \"" + value + "\": use disable, prefer, require or verify-full");
    };
  }
}
