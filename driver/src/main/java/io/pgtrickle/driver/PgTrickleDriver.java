package io.pgtrickle.driver;

import io.pgtrickle.engine.catalog.CatalogMigrator;
import io.pgtrickle.engine.session.JdbcSqlSession;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java.sql.Driver} for {@code jdbc:pgtrickle:postgresql://…}: the same URL as pgjdbc's with
 * {@code pgtrickle:} inserted. Every pgjdbc property is accepted and passed on; the {@link
 * DriverProperty} ones are ours.
 */
public final class PgTrickleDriver implements Driver {
  /** The URL prefix this driver accepts. */
  public static final String URL_PREFIX = "jdbc:pgtrickle:postgresql:";

  private static final String PGJDBC_PREFIX = "jdbc:postgresql:";
  private static final org.slf4j.Logger LOG = LoggerFactory.getLogger(PgTrickleDriver.class);

  /** Databases whose catalog this JVM has already checked, by pgjdbc URL. */
  private static final Set<String> CATALOG_CHECKED = ConcurrentHashMap.newKeySet();

  static {
    try {
      DriverManager.registerDriver(new PgTrickleDriver());
    } catch (SQLException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final org.postgresql.Driver pgjdbc = new org.postgresql.Driver();

  @Override
  public Connection connect(String url, Properties info) throws SQLException {
    if (!acceptsURL(url)) {
      return null; // JDBC contract: let DriverManager try the next driver
    }
    Properties props = new Properties();
    if (info != null) {
      props.putAll(info);
    }
    String pgUrl = toPgjdbcUrl(url);
    // Our properties may also come in the URL's query string; read them through pgjdbc's parser.
    Properties parsed = org.postgresql.Driver.parseURL(pgUrl, props);
    if (parsed == null) {
      throw new SQLException("invalid pg_trickle JDBC URL: " + url, "08001");
    }
    Properties ours = new Properties();
    for (DriverProperty p : DriverProperty.values()) {
      String v = parsed.getProperty(p.key());
      if (v != null) {
        ours.setProperty(p.key(), v);
      }
      props.remove(p.key());
    }
    Connection raw = pgjdbc.connect(stripOurParameters(pgUrl), props);
    if (raw == null) {
      throw new SQLException("pgjdbc refused the URL " + pgUrl, "08001");
    }
    try {
      if (DriverProperty.INSTALL_CATALOG.getBoolean(ours)) {
        ensureCatalog(raw, pgUrl);
      }
      if (DriverProperty.SCHEDULER.getBoolean(ours)) {
        EmbeddedSchedulers.ensure(stripOurParameters(pgUrl), props, ours);
      }
      return new PgTrickleConnection(raw);
    } catch (SQLException | RuntimeException e) {
      raw.close();
      throw e;
    }
  }

  /**
   * Installs or upgrades the catalog once per database per JVM. A role that may not create it (no
   * CREATE on the database) still connects; API calls then report what is missing.
   */
  private static void ensureCatalog(Connection raw, String pgUrl) throws SQLException {
    String key = pgUrl.replaceFirst("\\?.*$", "");
    if (CATALOG_CHECKED.contains(key) || !raw.getAutoCommit()) {
      return;
    }
    try {
      CatalogMigrator.migrate(new JdbcSqlSession(raw));
      CATALOG_CHECKED.add(key);
    } catch (SQLException e) {
      LOG.warn("could not install the pg_trickle catalog in {}: {}", key, e.getMessage());
      if (!raw.getAutoCommit()) {
        raw.rollback();
        raw.setAutoCommit(true);
      }
    }
  }

  @Override
  public boolean acceptsURL(String url) {
    return url != null && url.startsWith(URL_PREFIX);
  }

  @Override
  public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) throws SQLException {
    Properties props = info == null ? new Properties() : info;
    List<DriverPropertyInfo> all =
        new ArrayList<>(Arrays.asList(pgjdbc.getPropertyInfo(toPgjdbcUrl(url), props)));
    for (DriverProperty p : DriverProperty.values()) {
      all.add(p.toInfo(props));
    }
    return all.toArray(new DriverPropertyInfo[0]);
  }

  @Override
  public int getMajorVersion() {
    return 0;
  }

  @Override
  public int getMinorVersion() {
    return 1;
  }

  @Override
  public boolean jdbcCompliant() {
    return false; // as pgjdbc: PostgreSQL is not fully SQL-92 compliant
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException("pg_trickle logs through SLF4J");
  }

  static String toPgjdbcUrl(String url) {
    if (url == null || !url.startsWith(URL_PREFIX)) {
      throw new IllegalArgumentException("not a pg_trickle URL: " + url);
    }
    return PGJDBC_PREFIX + url.substring(URL_PREFIX.length());
  }

  /** Removes our parameters from the query string, so pgjdbc never sees them. */
  static String stripOurParameters(String pgUrl) {
    int q = pgUrl.indexOf('?');
    if (q < 0) {
      return pgUrl;
    }
    List<String> kept = new ArrayList<>();
    for (String param : pgUrl.substring(q + 1).split("&")) {
      String name = param.split("=", 2)[0];
      boolean ours = false;
      for (DriverProperty p : DriverProperty.values()) {
        ours |= p.key().equals(name);
      }
      if (!ours && !param.isEmpty()) {
        kept.add(param);
      }
    }
    return pgUrl.substring(0, q) + (kept.isEmpty() ? "" : "?" + String.join("&", kept));
  }
}
