package io.pgtrickle.engine.scheduler;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the scheduler runs, validated once at construction.
 *
 * @param workers refreshes that may run at once (each on its own connection)
 * @param tick how often the catalog is read to find what is due
 * @param maxConsecutiveErrors failed refreshes in a row after which a stream table is SUSPENDED
 * @param backoffBase the wait before retrying after the first failure; doubled after each further
 *     failure
 * @param backoffMax the longest wait between retries
 * @param calculatedDefault how stale a {@code 'calculated'} stream table that no other stream table
 *     reads may become before it is refreshed (it has no reader to take its schedule from)
 */
public record SchedulerConfig(
    int workers,
    Duration tick,
    int maxConsecutiveErrors,
    Duration backoffBase,
    Duration backoffMax,
    Duration calculatedDefault) {

  /**
   * The defaults: 4 workers, a 1 s tick, SUSPENDED after 3 failures, backoff 1 s doubling to 5 min.
   */
  public static final SchedulerConfig DEFAULTS;

  private static final Pattern DURATION = Pattern.compile("(?:[0-9]+(?:ms|s|m|h|d))+");
  private static final Pattern DURATION_PART = Pattern.compile("([0-9]+)(ms|s|m|h|d)");

  static {
    // After the patterns it parses with; the values are each Setting's default.
    DEFAULTS = of(Map.of());
  }

  /**
   * A setting as the driver's URL properties and the proxy's options name it: {@code
   * pgtrickle.scheduler<Key>} and {@code --scheduler-<option>}.
   */
  public enum Setting {
    /** {@link SchedulerConfig#workers()}: a whole number. */
    WORKERS("Workers", "workers", "4"),
    /** {@link SchedulerConfig#tick()}: a duration. */
    TICK("Tick", "tick", "1s"),
    /** {@link SchedulerConfig#maxConsecutiveErrors()}: a whole number. */
    MAX_CONSECUTIVE_ERRORS("MaxConsecutiveErrors", "max-consecutive-errors", "3"),
    /** {@link SchedulerConfig#backoffBase()}: a duration. */
    BACKOFF("Backoff", "backoff", "1s"),
    /** {@link SchedulerConfig#backoffMax()}: a duration. */
    BACKOFF_MAX("BackoffMax", "backoff-max", "5m"),
    /** {@link SchedulerConfig#calculatedDefault()}: a duration. */
    CALCULATED_DEFAULT("CalculatedDefault", "calculated-default", "1s");

    private final String propertySuffix;
    private final String optionSuffix;
    private final String defaultValue;

    Setting(String propertySuffix, String optionSuffix, String defaultValue) {
      this.propertySuffix = propertySuffix;
      this.optionSuffix = optionSuffix;
      this.defaultValue = defaultValue;
    }

    /** The driver's URL property, e.g. {@code pgtrickle.schedulerTick}. */
    public String property() {
      return "pgtrickle.scheduler" + propertySuffix;
    }

    /** The proxy's option, e.g. {@code --scheduler-tick}. */
    public String option() {
      return "--scheduler-" + optionSuffix;
    }

    /** The value of {@link SchedulerConfig#DEFAULTS}, as text. */
    public String defaultValue() {
      return defaultValue;
    }

    boolean isDuration() {
      return this != WORKERS && this != MAX_CONSECUTIVE_ERRORS;
    }
  }

  /** A setting whose text is not a valid value; the message says why, not which spelling. */
  public static final class InvalidSettingException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final transient Setting setting;

    InvalidSettingException(Setting setting, String message) {
      super(message);
      this.setting = setting;
    }

    /** The setting that is wrong. */
    public Setting setting() {
      return setting;
    }
  }

  /**
   * The defaults with {@code values} applied, each given as text: whole numbers, or durations such
   * as {@code 500ms}, {@code 30s}, {@code 1m30s} (units ms, s, m, h, d).
   *
   * @throws InvalidSettingException naming the setting whose value is wrong
   */
  public static SchedulerConfig of(Map<Setting, String> values) {
    Map<Setting, Object> parsed = new EnumMap<>(Setting.class);
    for (Setting setting : Setting.values()) {
      String text = values.getOrDefault(setting, setting.defaultValue()).trim();
      parsed.put(
          setting, setting.isDuration() ? duration(setting, text) : wholeNumber(setting, text));
    }
    Duration base = (Duration) parsed.get(Setting.BACKOFF);
    Duration max = (Duration) parsed.get(Setting.BACKOFF_MAX);
    if (max.compareTo(base) < 0) {
      throw new InvalidSettingException(
          Setting.BACKOFF_MAX,
          "the maximum backoff " + max + " is below the first backoff " + base);
    }
    try {
      return new SchedulerConfig(
          (Integer) parsed.get(Setting.WORKERS),
          (Duration) parsed.get(Setting.TICK),
          (Integer) parsed.get(Setting.MAX_CONSECUTIVE_ERRORS),
          base,
          max,
          (Duration) parsed.get(Setting.CALCULATED_DEFAULT));
    } catch (IllegalArgumentException e) {
      throw new AssertionError("parsed settings were checked", e);
    }
  }

  private static int wholeNumber(Setting setting, String text) {
    try {
      int n = Integer.parseInt(text);
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new InvalidSettingException(
        setting, "'" + text + "' is not a whole number of at least 1");
  }

  private static Duration duration(Setting setting, String text) {
    String lower = text.toLowerCase(Locale.ROOT);
    if (DURATION.matcher(lower).matches()) {
      Duration total = Duration.ZERO;
      Matcher m = DURATION_PART.matcher(lower);
      try {
        while (m.find()) {
          long n = Long.parseLong(m.group(1));
          total =
              total.plus(
                  switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                  });
        }
      } catch (ArithmeticException | NumberFormatException e) {
        throw new InvalidSettingException(setting, "'" + text + "' is out of range");
      }
      if (!total.isZero()) {
        return total;
      }
    }
    throw new InvalidSettingException(
        setting, "'" + text + "' is not a positive duration such as 500ms, 30s, 5m or 1m30s");
  }

  /**
   * Validates every value.
   *
   * @throws IllegalArgumentException naming the setting that is wrong
   */
  public SchedulerConfig {
    Objects.requireNonNull(tick, "tick");
    Objects.requireNonNull(backoffBase, "backoffBase");
    Objects.requireNonNull(backoffMax, "backoffMax");
    Objects.requireNonNull(calculatedDefault, "calculatedDefault");
    atLeastOne("workers", workers);
    atLeastOne("maxConsecutiveErrors", maxConsecutiveErrors);
    positive("tick", tick);
    positive("calculatedDefault", calculatedDefault);
    if (backoffBase.isNegative() || backoffMax.compareTo(backoffBase) < 0) {
      throw new IllegalArgumentException(
          "invalid scheduler backoff: base "
              + backoffBase
              + ", maximum "
              + backoffMax
              + "; the base must not be negative and the maximum not below the base");
    }
  }

  /** With {@code n} workers. */
  public SchedulerConfig withWorkers(int n) {
    return new SchedulerConfig(
        n, tick, maxConsecutiveErrors, backoffBase, backoffMax, calculatedDefault);
  }

  /** With a different tick. */
  public SchedulerConfig withTick(Duration d) {
    return new SchedulerConfig(
        workers, d, maxConsecutiveErrors, backoffBase, backoffMax, calculatedDefault);
  }

  /** Suspending after {@code n} consecutive failures. */
  public SchedulerConfig withMaxConsecutiveErrors(int n) {
    return new SchedulerConfig(workers, tick, n, backoffBase, backoffMax, calculatedDefault);
  }

  /** With a different backoff. */
  public SchedulerConfig withBackoff(Duration base, Duration max) {
    return new SchedulerConfig(workers, tick, maxConsecutiveErrors, base, max, calculatedDefault);
  }

  /** With a different default for calculated stream tables that nothing reads. */
  public SchedulerConfig withCalculatedDefault(Duration d) {
    return new SchedulerConfig(workers, tick, maxConsecutiveErrors, backoffBase, backoffMax, d);
  }

  /**
   * The wait after the {@code failures}-th consecutive failure before the next attempt: the base
   * doubled for each failure after the first, capped at the maximum.
   */
  public Duration backoffAfter(int failures) {
    if (failures <= 0) {
      return Duration.ZERO;
    }
    Duration wait = backoffBase;
    for (int i = 1; i < failures && wait.compareTo(backoffMax) < 0; i++) {
      wait = wait.multipliedBy(2);
    }
    return wait.compareTo(backoffMax) > 0 ? backoffMax : wait;
  }

  private static void atLeastOne(String name, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(
          "invalid scheduler setting " + name + ": " + value + "; it must be at least 1");
    }
  }

  private static void positive(String name, Duration value) {
    if (value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(
          "invalid scheduler setting " + name + ": " + value + "; it must be positive");
    }
  }
}
