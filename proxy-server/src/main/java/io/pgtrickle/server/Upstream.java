package io.pgtrickle.server;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * A libpq-style connection URI, {@code postgresql://USER[:PASSWORD]@HOST[:PORT]/DB}, taken apart.
 */
record Upstream(String host, int port, String database, String user, String password) {

  /** Parses the URI; the port defaults to 5432 and the database to the user name. */
  static Upstream parse(String uri) {
    try {
      URI u = new URI(uri);
      if (!"postgresql".equals(u.getScheme()) && !"postgres".equals(u.getScheme())) {
        throw new IllegalArgumentException("upstream must start with postgresql://: " + uri);
      }
      String user = "postgres";
      String password = null;
      if (u.getRawUserInfo() != null) {
        String[] parts = u.getRawUserInfo().split(":", 2);
        user = decode(parts[0]);
        password = parts.length > 1 ? decode(parts[1]) : null;
      }
      String path = u.getRawPath() == null ? "" : u.getRawPath().replaceFirst("^/", "");
      String db = path.isEmpty() ? user : decode(path);
      int port = u.getPort() > 0 ? u.getPort() : 5432;
      if (u.getHost() == null) {
        throw new IllegalArgumentException("upstream has no host: " + uri);
      }
      return new Upstream(u.getHost(), port, db, user, password);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("invalid upstream URI " + uri + ": " + e.getMessage(), e);
    }
  }

  /** The URL of the pg_trickle driver for this server. */
  String jdbcUrl() {
    return "jdbc:pgtrickle:postgresql://" + host + ":" + port + "/" + database;
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }
}
