package io.pgtrickle.driver;

import io.pgtrickle.engine.scheduler.SchedulerConfig.Setting;
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
      Setting.WORKERS,
      "Scheduled refreshes the embedded scheduler runs at once (each on its own connection)."),

  /** How often the embedded scheduler looks for due stream tables. */
  SCHEDULER_TICK(
      Setting.TICK, "How often the embedded scheduler reads the catalog to find what is due."),

  /** Failed refreshes in a row after which the scheduler suspends a stream table. */
  SCHEDULER_MAX_CONSECUTIVE_ERRORS(
      Setting.MAX_CONSECUTIVE_ERRORS,
      "Failed scheduled refreshes in a row after which a stream table becomes SUSPENDED."),

  /** The wait before the first retry of a failed scheduled refresh. */
  SCHEDULER_BACKOFF(
      Setting.BACKOFF,
      "Wait before retrying a failed scheduled refresh; doubled after each further failure."),

  /** The longest wait between retries. */
  SCHEDULER_BACKOFF_MAX(Setting.BACKOFF_MAX, "Longest wait between retries of a failed refresh."),

  /** How stale a calculated stream table that nothing reads may become. */
  SCHEDULER_CALCULATED_DEFAULT(
      Setting.CALCULATED_DEFAULT,
      "How stale a 'calculated' stream table that no other stream table reads may become.");

  private final String key;
  private final String defaultValue;
  private final String description;
  private final Setting schedulerSetting;

  DriverProperty(String key, String defaultValue, String description) {
    this.key = key;
    this.defaultValue = defaultValue;
    this.description = description;
    this.schedulerSetting = null;
  }

  DriverProperty(Setting schedulerSetting, String description) {
    this.key = schedulerSetting.property();
    this.defaultValue = schedulerSetting.defaultValue();
    this.description = description;
    this.schedulerSetting = schedulerSetting;
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

  /** The scheduler setting this property sets, or null for the others. */
  Setting schedulerSetting() {
    return schedulerSetting;
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
