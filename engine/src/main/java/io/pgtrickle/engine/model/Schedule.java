package io.pgtrickle.engine.model;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import io.pgtrickle.errors.PgTrickleException;
import io.pgtrickle.errors.SqlState;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * When a stream table is refreshed by the scheduler: every fixed interval, on a cron schedule, when
 * a downstream stream table needs it ({@code 'calculated'}), or only by hand.
 */
public sealed interface Schedule {

  /** The text stored in the catalog's {@code schedule} column (null for manual). */
  String text();

  /** Refresh when the data is older than {@code period}. */
  record Interval(String text, Duration period) implements Schedule {}

  /** Refresh when the cron expression fires. */
  record CronSchedule(String text, Cron cron) implements Schedule {
    /** The next firing strictly after {@code time}. */
    public Optional<ZonedDateTime> nextAfter(ZonedDateTime time) {
      return ExecutionTime.forCron(cron).nextExecution(time);
    }
  }

  /** Refresh when a stream table that reads this one is refreshed. */
  record Calculated() implements Schedule {
    @Override
    public String text() {
      return CALCULATED;
    }
  }

  /** Never refreshed by the scheduler; only {@code refresh_stream_table}. */
  record Manual() implements Schedule {
    @Override
    public String text() {
      return null;
    }
  }

  /** The keyword for a calculated schedule. */
  String CALCULATED = "calculated";

  /** The keyword that, used as a schedule, asks for IMMEDIATE maintenance instead. */
  String IMMEDIATE = "immediate";

  /**
   * Parses the {@code schedule} parameter: a duration such as {@code '30s'} or {@code '1h30m'}
   * (units s, m, h, d, w), a five-field cron expression, a six-field one with seconds first, an
   * alias such as {@code '@hourly'}, {@code 'calculated'}, or null for manual refresh only. {@code
   * 'IMMEDIATE'} is handled by the caller before this.
   */
  static Schedule parse(String value) throws PgTrickleException {
    if (value == null) {
      return new Manual();
    }
    String v = value.trim();
    String lower = v.toLowerCase(Locale.ROOT);
    if (lower.equals(CALCULATED)) {
      return new Calculated();
    }
    if (Parsing.DURATION.matcher(lower).matches()) {
      return new Interval(lower, Parsing.duration(value, lower));
    }
    if (lower.startsWith("@")) {
      String expanded = Parsing.CRON_ALIASES.get(lower);
      if (expanded == null) {
        throw Parsing.invalid(value, "unknown cron alias");
      }
      return new CronSchedule(lower, Parsing.cron(value, expanded, false));
    }
    int fields = v.split("\\s+").length;
    if (fields == 5 || fields == 6) {
      return new CronSchedule(v, Parsing.cron(value, v, fields == 6));
    }
    throw Parsing.invalid(value, "not a duration, a cron expression or 'calculated'");
  }

  /** Parsing details kept out of the interface's public surface. */
  final class Parsing {
    static final Pattern DURATION = Pattern.compile("([0-9]+[smhdw])+");
    private static final Pattern PART = Pattern.compile("([0-9]+)([smhdw])");
    static final Map<String, String> CRON_ALIASES =
        Map.of(
            "@yearly", "0 0 1 1 *",
            "@annually", "0 0 1 1 *",
            "@monthly", "0 0 1 * *",
            "@weekly", "0 0 * * 0",
            "@daily", "0 0 * * *",
            "@midnight", "0 0 * * *",
            "@hourly", "0 * * * *");
    private static final CronParser UNIX =
        new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
    private static final CronParser WITH_SECONDS =
        new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.SPRING));

    private Parsing() {}

    static Duration duration(String original, String text) throws PgTrickleException {
      Duration total = Duration.ZERO;
      Matcher m = PART.matcher(text);
      try {
        while (m.find()) {
          long n = Long.parseLong(m.group(1));
          Duration unit =
              switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(1);
                case "m" -> Duration.ofMinutes(1);
                case "h" -> Duration.ofHours(1);
                case "d" -> Duration.ofDays(1);
                default -> Duration.ofDays(7);
              };
          total = total.plus(unit.multipliedBy(n));
        }
      } catch (ArithmeticException | NumberFormatException e) {
        throw invalid(original, "duration out of range");
      }
      if (total.isZero()) {
        throw invalid(original, "the interval must be at least one second");
      }
      return total;
    }

    static Cron cron(String original, String expression, boolean withSeconds)
        throws PgTrickleException {
      try {
        Cron cron = (withSeconds ? WITH_SECONDS : UNIX).parse(expression);
        return cron.validate();
      } catch (IllegalArgumentException e) {
        throw invalid(original, "invalid cron expression: " + e.getMessage());
      }
    }

    static PgTrickleException invalid(String value, String why) {
      return PgTrickleException.builder(
              SqlState.INVALID_PARAMETER_VALUE, "invalid schedule '" + value + "': " + why)
          .hint(
              "Use a duration such as '30s', '5m' or '1h30m', a cron expression such as"
                  + " '*/5 * * * *' or '@hourly', 'calculated', or 'IMMEDIATE'.")
          .build();
    }
  }
}
