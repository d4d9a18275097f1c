package io.pgtrickle.driver;

import io.pgtrickle.engine.scheduler.Scheduler;
import io.pgtrickle.engine.scheduler.SchedulerConfig;
import io.pgtrickle.errors.PgTrickleException;
import io.pgtrickle.errors.SqlState;
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
    SchedulerConfig config = SchedulerConfig.DEFAULTS.withWorkers(workers(ours));
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

  private static int workers(Properties ours) throws PgTrickleException {
    String key = DriverProperty.SCHEDULER_WORKERS.key();
    String value = DriverProperty.SCHEDULER_WORKERS.get(ours).trim();
    try {
      int n = Integer.parseInt(value);
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw PgTrickleException.builder(
            SqlState.INVALID_PARAMETER_VALUE, "invalid value for " + key + ": '" + value + "'")
        .hint(key + " must be a whole number of at least 1.")
        .build();
  }

  private static Properties copy(Properties props) {
    Properties p = new Properties();
    p.putAll(props);
    return p;
  }
}
