package io.pgtrickle.testing;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.postgresql.Driver;
import org.postgresql.PGProperty;

/**
 * Where the test server is and how to log in to it as the administrator: a host, a port, the
 * database to connect to for CREATE/DROP DATABASE, credentials and any other pgjdbc options.
 */
record ServerEndpoint(
    String host,
    int port,
    String adminDatabase,
    String user,
    String password,
    Map<String, String> options) {

  ServerEndpoint {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(adminDatabase, "adminDatabase");
    Objects.requireNonNull(user, "user");
    options = Map.copyOf(options);
    if (port <= 0 || port > 65_535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
  }

  /**
   * Parses {@code jdbc:postgresql://host:port/db?user=u&password=p} or the libpq form {@code
   * postgresql://u:p@host:port/db}; the user defaults to {@code postgres}, as does the database.
   */
  static ServerEndpoint parse(String url) {
    String jdbcUrl = url.strip();
    if (jdbcUrl.startsWith("postgresql://") || jdbcUrl.startsWith("postgres://")) {
      jdbcUrl = libpqToJdbc(jdbcUrl);
    }
    if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException(
          "test server URL must start with jdbc:postgresql:// or postgresql://, got "
              + redact(url));
    }
    Properties parsed = Driver.parseURL(jdbcUrl, null);
    if (parsed == null) {
      throw new IllegalArgumentException("pgjdbc cannot parse test server URL " + redact(url));
    }
    String host = parsed.getProperty(PGProperty.PG_HOST.getName(), "localhost");
    if (host.contains(",")) {
      throw new IllegalArgumentException("test server URL must name one host: " + redact(url));
    }
    int port = Integer.parseInt(parsed.getProperty(PGProperty.PG_PORT.getName(), "5432"));
    String database = parsed.getProperty(PGProperty.PG_DBNAME.getName(), "");
    String user = parsed.getProperty(PGProperty.USER.getName(), "postgres");
    String password = parsed.getProperty(PGProperty.PASSWORD.getName());

    Map<String, String> options = new TreeMap<>();
    for (String name : parsed.stringPropertyNames()) {
      options.put(name, parsed.getProperty(name));
    }
    options
        .keySet()
        .removeAll(
            Set.of(
                PGProperty.PG_HOST.getName(),
                PGProperty.PG_PORT.getName(),
                PGProperty.PG_DBNAME.getName(),
                PGProperty.USER.getName(),
                PGProperty.PASSWORD.getName()));
    return new ServerEndpoint(
        host, port, database.isEmpty() ? "postgres" : database, user, password, options);
  }

  /** A {@code jdbc:postgresql://host:port/database} URL without credentials or options. */
  String jdbcUrl(String database) {
    String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    return "jdbc:postgresql://" + h + ":" + port + "/" + database;
  }

  /** The same server and options, logging in as {@code user} ({@code password} may be null). */
  ServerEndpoint withCredentials(String user, String password) {
    return new ServerEndpoint(host, port, adminDatabase, user, password, options);
  }

  /** The administrator's credentials plus the options the URL carried. */
  Properties properties() {
    Properties props = new Properties();
    props.putAll(options);
    props.setProperty(PGProperty.USER.getName(), user);
    if (password != null) {
      props.setProperty(PGProperty.PASSWORD.getName(), password);
    }
    return props;
  }

  /** A new connection to {@code database} as the administrator. */
  Connection connect(String database) throws SQLException {
    return DriverManager.getConnection(jdbcUrl(database), properties());
  }

  /** Connects to the administration database, where CREATE/DROP DATABASE and roles are issued. */
  Connection connectAdmin() throws SQLException {
    return connect(adminDatabase);
  }

  /** Host, port and user, never the password, for log and error messages. */
  String describe() {
    return user + "@" + host + ":" + port + "/" + adminDatabase;
  }

  @Override
  public String toString() {
    return "ServerEndpoint[" + describe() + ", options=" + options.keySet() + "]";
  }

  private static String libpqToJdbc(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("malformed test server URL " + redact(url), e);
    }
    StringBuilder query = new StringBuilder();
    String userInfo = uri.getRawUserInfo();
    if (userInfo != null) {
      int colon = userInfo.indexOf(':');
      String user = colon < 0 ? userInfo : userInfo.substring(0, colon);
      appendParam(query, "user", decode(user));
      if (colon >= 0) {
        appendParam(query, "password", decode(userInfo.substring(colon + 1)));
      }
    }
    if (uri.getRawQuery() != null) {
      // libpq and pgjdbc share the names that matter here (user, password, sslmode).
      query.append(query.length() == 0 ? "" : "&").append(uri.getRawQuery());
    }
    String host = uri.getHost() == null ? "localhost" : uri.getHost();
    int port = uri.getPort() < 0 ? 5432 : uri.getPort();
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    return "jdbc:postgresql://"
        + host
        + ":"
        + port
        + (path.isEmpty() ? "/" : path)
        + (query.length() == 0 ? "" : "?" + query);
  }

  private static void appendParam(StringBuilder query, String name, String value) {
    if (query.length() > 0) {
      query.append('&');
    }
    query.append(name).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
  }

  /** Percent-decoding only: in a URI's user info a '+' is a plus, not a space. */
  private static String decode(String raw) {
    return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  /** Keeps passwords out of exception messages, which end up in CI logs. */
  private static String redact(String url) {
    return url.replaceAll("(?i)(password=)[^&]*", "$1***")
        .replaceAll("(//[^:/@]*:)[^@/]*@", "$1***@");
  }
}
