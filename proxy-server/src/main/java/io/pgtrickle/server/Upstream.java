package io.pgtrickle.server;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A libpq-style connection URI, {@code postgresql://USER[:PASSWORD]@HOST[:PORT]/DB[?sslmode=…]},
 * taken apart.
 *
 * @param sslMode the {@code sslmode} parameter, DISABLE when absent
 * @param sslRootCert the {@code sslrootcert} parameter, or null
 */
record Upstream(
    String host,
    int port,
    String database,
    String user,
    String password,
    UpstreamSslMode sslMode,
    Path sslRootCert) {

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
      Map<String, String> query = query(u.getRawQuery());
      for (String key : query.keySet()) {
        if (!key.equals("sslmode") && !key.equals("sslrootcert")) {
          throw new IllegalArgumentException(
              "unsupported upstream parameter \"" + key + "\": only sslmode and sslrootcert");
        }
      }
      UpstreamSslMode mode = UpstreamSslMode.parse(query.getOrDefault("sslmode", "disable"));
      Path rootCert = query.containsKey("sslrootcert") ? Path.of(query.get("sslrootcert")) : null;
      return new Upstream(u.getHost(), port, db, user, password, mode, rootCert);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("invalid upstream URI " + uri + ": " + e.getMessage(), e);
    }
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new HashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("&")) {
      String[] kv = pair.split("=", 2);
      out.put(decode(kv[0]), kv.length > 1 ? decode(kv[1]) : "");
    }
    return out;
  }

  /** The pgjdbc URL for the engine's own connection to this server. */
  String jdbcUrl() {
    String ssl =
        switch (sslMode) {
          case DISABLE -> "sslmode=disable";
          case PREFER -> "sslmode=prefer";
          case REQUIRE -> "sslmode=require";
          case VERIFY_FULL ->
              "sslmode=verify-full"
                  + (sslRootCert == null ? "" : "&sslrootcert=" + sslRootCert.toAbsolutePath());
        };
    return "jdbc:postgresql://" + host + ":" + port + "/" + database + "?" + ssl;
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }
}
