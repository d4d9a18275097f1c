package io.pgtrickle.engine.scheduler;

import java.time.Duration;
import java.util.Objects;

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
  public static final SchedulerConfig DEFAULTS =
      new SchedulerConfig(
          4,
          Duration.ofSeconds(1),
          3,
          Duration.ofSeconds(1),
          Duration.ofMinutes(5),
          Duration.ofSeconds(1));

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
