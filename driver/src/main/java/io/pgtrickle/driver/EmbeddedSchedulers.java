package io.pgtrickle.driver;

import io.pgtrickle.engine.scheduler.Scheduler;
import io.pgtrickle.engine.scheduler.SchedulerConfig;
import io.pgtrickle.engine.scheduler.SchedulerConfig.Setting;
import io.pgtrickle.errors.PgTrickleException;
import io.pgtrickle.errors.SqlState;
import java.util.EnumMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The driver's schedulers: one per database per JVM, started by the first connection that asks for
 * it ({@link DriverProperty#SCHEDULER}) with that connection's credentials, and stopped when the
 * JVM exits. Its threads are daemons, so an application that never closes anything still exits.
 */
final class EmbeddedSchedulers {
  private static final Map<String, Scheduler> RUNNING = new ConcurrentHashMap<>();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> RUNNING.values().forEach(Scheduler::close), "pgtrickle-driver-shutdown"));
  }

  private EmbeddedSchedulers() {}

  /**
   * Starts the scheduler for the database of {@code pgjdbcUrl} unless this JVM already runs one.
   *
   * @param pgjdbcUrl the pgjdbc URL without our parameters
   * @param props pgjdbc's connection properties, ours removed
   * @param ours our properties
   */
  static void ensure(String pgjdbcUrl, Properties props, Properties ours)
      throws PgTrickleException {
    String key = pgjdbcUrl.replaceFirst("\\?.*$", "");
    if (RUNNING.containsKey(key)) {
      return;
    }
    SchedulerConfig config = config(ours);
    RUNNING.computeIfAbsent(key, k -> Scheduler.startPooled(pgjdbcUrl, copy(props), config));
  }

  /** Whether this JVM runs a scheduler for the database of {@code pgjdbcUrl}. */
  static boolean running(String pgjdbcUrl) {
    return RUNNING.containsKey(pgjdbcUrl.replaceFirst("\\?.*$", ""));
  }

  /** Stops the scheduler for the database of {@code pgjdbcUrl}, if this JVM runs one. */
  static void stop(String pgjdbcUrl) {
    Scheduler s = RUNNING.remove(pgjdbcUrl.replaceFirst("\\?.*$", ""));
    if (s != null) {
      s.close();
    }
  }

  /**
   * The scheduler settings in {@code ours}, the defaults for the rest.
   *
   * @throws PgTrickleException 22023 naming the property whose value is wrong
   */
  static SchedulerConfig config(Properties ours) throws PgTrickleException {
    Map<Setting, String> values = new EnumMap<>(Setting.class);
    for (DriverProperty p : DriverProperty.values()) {
      String value = ours.getProperty(p.key());
      if (p.schedulerSetting() != null && value != null) {
        values.put(p.schedulerSetting(), value);
      }
    }
    try {
      return SchedulerConfig.of(values);
    } catch (SchedulerConfig.InvalidSettingException e) {
      String key = e.setting().property();
      throw PgTrickleException.builder(
              SqlState.INVALID_PARAMETER_VALUE, "invalid value for " + key + ": " + e.getMessage())
          .hint(
              "Durations are written like 500ms, 30s or 1m30s; counts are whole numbers of at"
                  + " least 1.")
          .build();
    }
  }

  private static Properties copy(Properties props) {
    Properties p = new Properties();
    p.putAll(props);
    return p;
  }
}
