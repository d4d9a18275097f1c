package io.pgtrickle.engine.model;

import io.pgtrickle.errors.PgTrickleException;
import java.util.Locale;

/** A refresh tier: how much the scheduler stretches a stream table's schedule. */
public enum Tier {
  /** The schedule as written. */
  HOT(1),
  /** Twice the schedule's interval. */
  WARM(2),
  /** Ten times the schedule's interval. */
  COLD(10),
  /** Never refreshed by the scheduler; manual refresh still works. */
  FROZEN(0);

  private final int multiplier;

  Tier(int multiplier) {
    this.multiplier = multiplier;
  }

  /** The schedule multiplier; 0 for {@link #FROZEN}, which is never scheduled. */
  public int multiplier() {
    return multiplier;
  }

  /** Parses the {@code tier} parameter. */
  public static Tier parse(String value) throws PgTrickleException {
    return Keywords.parse(Tier.class, "tier", value);
  }

  /** The catalog spelling: lower case. */
  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
