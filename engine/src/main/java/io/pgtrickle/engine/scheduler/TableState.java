package io.pgtrickle.engine.scheduler;

import io.pgtrickle.engine.model.DiamondConsistency;
import io.pgtrickle.engine.model.DiamondSchedulePolicy;
import io.pgtrickle.engine.model.RefreshMode;
import io.pgtrickle.engine.model.Schedule;
import io.pgtrickle.engine.model.Status;
import io.pgtrickle.engine.model.Tier;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * What the scheduler knows of one stream table: one row of the catalog as read at the start of a
 * cycle.
 *
 * @param effectiveMode the mode refreshes run in; null before the first
 * @param storageExists false when the storage table was dropped behind the catalog's back
 * @param dataTimestamp when the data was current; null before the first refresh
 * @param lastErrorAt when the last failed refresh was recorded; null if none
 * @param diamondSchedulePolicy when an atomic diamond that converges here fires: when any member is
 *     due, or only when all are
 * @param readsStreamTables the ids of the stream tables it reads
 * @param readsRelations the OIDs of every relation it reads, stream tables included
 * @param version the catalog row's version ({@code xmin}); a refresh checks it is unchanged
 */
public record TableState(
    long id,
    String name,
    Schedule schedule,
    Tier tier,
    Status status,
    RefreshMode effectiveMode,
    boolean storageExists,
    Instant dataTimestamp,
    int consecutiveErrors,
    Instant lastErrorAt,
    DiamondConsistency diamondConsistency,
    DiamondSchedulePolicy diamondSchedulePolicy,
    Set<Long> readsStreamTables,
    Set<Long> readsRelations,
    String version) {

  /** Defensive copies and null checks. */
  public TableState {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(schedule, "schedule");
    Objects.requireNonNull(tier, "tier");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(diamondConsistency, "diamondConsistency");
    Objects.requireNonNull(diamondSchedulePolicy, "diamondSchedulePolicy");
    readsStreamTables = Set.copyOf(readsStreamTables);
    readsRelations = Set.copyOf(readsRelations);
  }

  /**
   * Whether the scheduler may refresh it at all: not suspended, not frozen, not IMMEDIATE
   * (maintained by its writers), not manual, and its storage table still exists.
   */
  public boolean schedulable() {
    return status != Status.SUSPENDED
        && tier != Tier.FROZEN
        && effectiveMode != RefreshMode.IMMEDIATE
        && !(schedule instanceof Schedule.Manual)
        && storageExists;
  }
}
