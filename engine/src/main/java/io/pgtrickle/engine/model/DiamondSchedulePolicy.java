package io.pgtrickle.engine.model;

import io.pgtrickle.errors.PgTrickleException;
import java.util.Locale;

/** When an atomic diamond group fires: when any member is due, or when all are. */
public enum DiamondSchedulePolicy {
  /** Fire when the first member is due. */
  FASTEST,
  /** Fire when every member is due. */
  SLOWEST;

  /** Parses the {@code diamond_schedule_policy} parameter. */
  public static DiamondSchedulePolicy parse(String value) throws PgTrickleException {
    return Keywords.parse(DiamondSchedulePolicy.class, "diamond_schedule_policy", value);
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
