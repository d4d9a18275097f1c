package io.pgtrickle.engine.scheduler;

import java.util.ArrayList;
import java.util.List;

/**
 * What one scheduling cycle refreshes: units in an order where every unit comes after the units it
 * waits for, so running them one by one in this order is always valid, and units whose waits are
 * over may run in parallel.
 */
public record Plan(List<RefreshUnit> units) {

  /** Defensive copy. */
  public Plan {
    units = List.copyOf(units);
  }

  /** Every stream table id in the plan, in unit order. */
  public List<Long> tables() {
    List<Long> out = new ArrayList<>();
    for (RefreshUnit u : units) {
      out.addAll(u.members());
    }
    return out;
  }
}
