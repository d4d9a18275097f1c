package io.pgtrickle.driver;

import java.sql.DriverPropertyInfo;
import java.util.Properties;

/**
 * The connection properties pg_trickle adds to pgjdbc's. They are removed before the properties
 * reach pgjdbc; {@link PgTrickleDriver#getPropertyInfo} and the documentation's table come from
 * this enum.
 */
public enum DriverProperty {
  /**
   * Whether connecting installs or upgrades the catalog in schema {@code pgtrickle} (once per
   * database per JVM).
   */
  INSTALL_CATALOG(
      "pgtrickle.installCatalog",
      "true",
      "Install or upgrade the pg_trickle catalog on the first connection to a database."),

  /**
   * Whether the first connection to a database starts a scheduler in this JVM that refreshes its
   * stream tables on their schedules (one per database, stopped when the JVM exits).
   */
  SCHEDULER(
      "pgtrickle.scheduler",
      "true",
      "Refresh stream tables on their schedules from this JVM (one scheduler per database)."),

  /** How many scheduled refreshes the embedded scheduler runs at once. */
  SCHEDULER_WORKERS(
      "pgtrickle.schedulerWorkers",
      "4",
      "Scheduled refreshes the embedded scheduler runs at once (each on its own connection).");

  private final String key;
  private final String defaultValue;
  private final String description;

  DriverProperty(String key, String defaultValue, String description) {
    this.key = key;
    this.defaultValue = defaultValue;
    this.description = description;
  }

  /** The property name as written in a URL or {@link Properties}. */
  public String key() {
    return key;
  }

  /** The value used when the property is not set. */
  public String defaultValue() {
    return defaultValue;
  }

  /** One sentence for tools and the documentation. */
  public String description() {
    return description;
  }

  /** The value in {@code props}, or the default. */
  String get(Properties props) {
    return props.getProperty(key, defaultValue);
  }

  /** The value as a boolean; anything but "true" (any case) is false. */
  boolean getBoolean(Properties props) {
    return Boolean.parseBoolean(get(props).trim());
  }

  DriverPropertyInfo toInfo(Properties props) {
    DriverPropertyInfo info = new DriverPropertyInfo(key, get(props));
    info.description = description;
    info.required = false;
    if (defaultValue.equals("true") || defaultValue.equals("false")) {
      info.choices = new String[] {"true", "false"};
    }
    return info;
  }
}
