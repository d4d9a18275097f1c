package io.pgtrickle.engine.scheduler;

import io.pgtrickle.engine.model.Schedule;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Optional;

/**
 * When one stream table is due by its own schedule, and when a failed one may be retried. Pure
 * functions of the catalog state and the time.
 *
 * <ul>
 *   <li>An interval is due when the data is older than the interval times the tier's multiplier.
 *   <li>A cron schedule is due when it has fired since the data was current. The tier does not
 *       stretch it: a cron expression names wall-clock times, and ten times "at 02:00" has no
 *       meaning. (FROZEN still stops it.)
 *   <li>A calculated schedule is due when a stream table it reads has newer data than it has, and,
 *       when no stream table reads it, also when its data is older than the configured default
 *       times the tier's multiplier. Being read by a due stream table is handled by the {@link
 *       Planner}.
 *   <li>Never refreshed, it is due at once.
 * </ul>
 */
final class DueRules {
  private DueRules() {}

  /** Why {@code t} is due by its own schedule at {@code now}, or null when it is not. */
  static String ownReason(
      TableState t, CatalogView view, Instant now, SchedulerConfig config, ZoneId zone) {
    Instant data = t.dataTimestamp();
    if (data == null) {
      return "never refreshed";
    }
    Schedule schedule = t.schedule();
    if (schedule instanceof Schedule.Interval i) {
      return olderThan(data, i.period(), t, now, "schedule " + i.text());
    }
    if (schedule instanceof Schedule.CronSchedule c) {
      Optional<ZonedDateTime> next = c.nextAfter(data.atZone(zone));
      return next.isPresent() && !next.get().toInstant().isAfter(now)
          ? "cron '" + c.text() + "' fired at " + next.get().toInstant()
          : null;
    }
    if (schedule instanceof Schedule.Calculated) {
      return calculated(t, view, now, config);
    }
    return null; // manual
  }

  /** Whether a failed stream table must still wait before its next attempt. */
  static boolean inBackoff(TableState t, Instant now, SchedulerConfig config) {
    if (t.consecutiveErrors() <= 0 || t.lastErrorAt() == null) {
      return false;
    }
    return now.isBefore(t.lastErrorAt().plus(config.backoffAfter(t.consecutiveErrors())));
  }

  private static String calculated(
      TableState t, CatalogView view, Instant now, SchedulerConfig config) {
    for (long sourceId : t.readsStreamTables()) {
      TableState source = view.get(sourceId);
      if (source != null
          && source.dataTimestamp() != null
          && source.dataTimestamp().isAfter(t.dataTimestamp())) {
        return "source " + source.name() + " has newer data";
      }
    }
    if (view.readers(t.id()).isEmpty()) {
      return olderThan(
          t.dataTimestamp(),
          config.calculatedDefault(),
          t,
          now,
          "calculated schedule with no reader (default " + config.calculatedDefault() + ")");
    }
    return null;
  }

  private static String olderThan(
      Instant data, Duration period, TableState t, Instant now, String what) {
    Duration stretched = period.multipliedBy(t.tier().multiplier());
    if (now.isBefore(data.plus(stretched))) {
      return null;
    }
    return what
        + (t.tier().multiplier() == 1 ? "" : " x" + t.tier().multiplier() + " (" + t.tier() + ")");
  }
}
