package io.pgtrickle.engine.scheduler;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Stream tables refreshed together in one transaction, in the order given (sources first): a single
 * stream table, or the members of a diamond with {@code diamond_consistency = 'atomic'}.
 *
 * @param members stream table ids, sources before readers
 * @param after the indexes in the plan of the units that must finish first
 * @param reasons why each member is refreshed, by id
 */
public record RefreshUnit(List<Long> members, Set<Integer> after, Map<Long, String> reasons) {

  /** Defensive copies. */
  public RefreshUnit {
    members = List.copyOf(members);
    after = Set.copyOf(after);
    reasons = Map.copyOf(Objects.requireNonNull(reasons, "reasons"));
  }
}
