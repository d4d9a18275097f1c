package io.pgtrickle.engine.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtrickle.engine.model.DiamondConsistency;
import io.pgtrickle.engine.model.DiamondSchedulePolicy;
import io.pgtrickle.engine.model.RefreshMode;
import io.pgtrickle.engine.model.Schedule;
import io.pgtrickle.engine.model.Status;
import io.pgtrickle.engine.model.Tier;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The planner's decisions with a fixed clock: no database, no sleeping. */
class PlannerTest {
  private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");
  private static final SchedulerConfig CONFIG =
      SchedulerConfig.DEFAULTS.withBackoff(Duration.ofSeconds(10), Duration.ofSeconds(60));

  @Test
  void intervalIsDueWhenTheDataIsOlderThanThePeriod() throws Exception {
    add(1, "30s", T0.minusSeconds(29));
    add(2, "30s", T0.minusSeconds(30));
    add(3, "1m30s", T0.minusSeconds(89));
    assertThat(planAt(T0)).containsExactly(2L);
    assertThat(planAt(T0.plusSeconds(1))).containsExactly(1L, 2L, 3L);
  }

  @Test
  void tiersStretchIntervalsAndFrozenIsNeverScheduled() throws Exception {
    add(1, "10s", T0.minusSeconds(15)).tier = Tier.HOT;
    add(2, "10s", T0.minusSeconds(15)).tier = Tier.WARM;
    add(3, "10s", T0.minusSeconds(25)).tier = Tier.WARM;
    add(4, "10s", T0.minusSeconds(99)).tier = Tier.COLD;
    add(5, "10s", T0.minusSeconds(100)).tier = Tier.COLD;
    add(6, "10s", T0.minusSeconds(100_000)).tier = Tier.FROZEN;
    add(7, "10s", null).tier = Tier.FROZEN;
    assertThat(planAt(T0)).containsExactly(1L, 3L, 5L);
  }

  @Test
  void cronIsDueOnceItFiredSinceTheDataWasCurrentAndIgnoresTheTier() throws Exception {
    add(1, "@hourly", Instant.parse("2026-03-02T09:59:59Z"));
    add(2, "@hourly", Instant.parse("2026-03-02T10:00:00Z"));
    add(3, "*/5 * * * *", Instant.parse("2026-03-02T09:56:00Z")).tier = Tier.COLD;
    add(4, "0 0 * * *", Instant.parse("2026-03-02T00:00:01Z"));
    assertThat(planAt(T0)).containsExactly(1L, 3L);
    assertThat(planAt(T0.plus(Duration.ofHours(14)))).containsExactly(1L, 2L, 3L, 4L);
  }

  @Test
  void neverRefreshedIsDueAtOnce() throws Exception {
    add(1, "1d", null);
    add(2, "@yearly", null);
    add(3, "calculated", null);
    assertThat(planAt(T0)).containsExactly(1L, 2L, 3L);
  }

  @Test
  void manualSuspendedImmediateAndOrphanedAreNeverScheduled() throws Exception {
    add(1, null, null);
    add(2, "1s", null).status = Status.SUSPENDED;
    add(3, "1s", null).mode = RefreshMode.IMMEDIATE;
    add(4, "1s", null).storageExists = false;
    add(5, "1s", null).status = Status.ERROR;
    add(6, "1s", null).status = Status.INITIALIZING;
    assertThat(planAt(T0)).containsExactly(5L, 6L);
  }

  @Test
  void calculatedSourcesAreRefreshedBeforeTheirDueReaderTransitively() throws Exception {
    add(1, "calculated", T0.minusSeconds(5));
    add(2, "calculated", T0.minusSeconds(5)).reads(1);
    add(3, "10s", T0.minusSeconds(11)).reads(2);
    add(4, "calculated", T0.minusMillis(500)); // read by nobody, fresh enough
    Plan plan = plan(T0);
    assertThat(plan.tables()).containsExactly(1L, 2L, 3L);
    assertThat(plan.units()).hasSize(3);
    assertThat(plan.units().get(1).after()).containsExactly(0);
    assertThat(plan.units().get(2).after()).containsExactly(1);
    assertThat(plan.units().get(0).reasons().get(1L)).contains("read by");
  }

  @Test
  void calculatedSourcesAreLeftAloneWhileNoReaderIsDue() throws Exception {
    add(1, "calculated", T0.minusSeconds(500));
    add(2, "10m", T0.minusSeconds(11)).reads(1);
    assertThat(planAt(T0)).isEmpty();
  }

  @Test
  void scheduledSourcesKeepTheirOwnSchedule() throws Exception {
    add(1, "1h", T0.minusSeconds(5));
    add(2, "10s", T0.minusSeconds(11)).reads(1);
    assertThat(planAt(T0)).containsExactly(2L);
  }

  @Test
  void calculatedReadersFollowASourceRefreshedInTheCycle() throws Exception {
    add(1, "5s", T0.minusSeconds(6));
    add(2, "calculated", T0.minusSeconds(6)).reads(1);
    add(3, "calculated", T0.minusMillis(500)).reads(2);
    add(4, "1h", T0.minusSeconds(6)).reads(1);
    Plan plan = plan(T0);
    assertThat(plan.tables()).containsExactly(1L, 2L, 3L);
    assertThat(plan.units().get(2).reasons().get(3L)).contains("follows");
  }

  @Test
  void calculatedIsDueWhenASourceHasNewerData() throws Exception {
    add(1, "1h", T0.minusMillis(300));
    add(2, "calculated", T0.minusMillis(600)).reads(1);
    add(3, "calculated", T0.minusMillis(100)).reads(1);
    assertThat(planAt(T0)).containsExactly(2L);
  }

  @Test
  void calculatedWithoutReadersUsesTheDefaultTimesTheTier() throws Exception {
    add(1, "calculated", T0.minusSeconds(1));
    add(2, "calculated", T0.minusMillis(999));
    add(3, "calculated", T0.minusSeconds(1)).tier = Tier.WARM;
    assertThat(planAt(T0)).containsExactly(1L);
    assertThat(planAt(T0.plusSeconds(1))).containsExactly(1L, 2L, 3L);
  }

  @Test
  void failedTablesWaitOutAnExponentialBackoff() throws Exception {
    add(1, "1s", T0.minusSeconds(100)).failed(1, T0.minusSeconds(9));
    add(2, "1s", T0.minusSeconds(100)).failed(1, T0.minusSeconds(10));
    add(3, "1s", T0.minusSeconds(100)).failed(2, T0.minusSeconds(19));
    add(4, "1s", T0.minusSeconds(100)).failed(2, T0.minusSeconds(20));
    add(5, "1s", T0.minusSeconds(100)).failed(9, T0.minusSeconds(60));
    assertThat(planAt(T0)).containsExactly(2L, 4L, 5L);
  }

  @Test
  void backoffDoublesUpToTheMaximum() {
    assertThat(CONFIG.backoffAfter(0)).isZero();
    assertThat(CONFIG.backoffAfter(1)).hasSeconds(10);
    assertThat(CONFIG.backoffAfter(2)).hasSeconds(20);
    assertThat(CONFIG.backoffAfter(3)).hasSeconds(40);
    assertThat(CONFIG.backoffAfter(4)).hasSeconds(60);
    assertThat(CONFIG.backoffAfter(1000)).hasSeconds(60);
  }

  @Test
  void aCalculatedSourceInBackoffIsSkippedButItsReaderRuns() throws Exception {
    add(1, "calculated", T0.minusSeconds(50)).failed(1, T0.minusSeconds(1));
    add(2, "10s", T0.minusSeconds(11)).reads(1);
    assertThat(planAt(T0)).containsExactly(2L);
  }

  @Test
  void atomicDiamondMembersAreRefreshedAsOneUnit() throws Exception {
    // orders (relation 500) feeds 1 and 2; 3 reads both; 4 reads 3; 5 is unrelated.
    add(1, "1h", T0.minusSeconds(5)).readsRelation(500);
    add(2, "1h", T0.minusSeconds(5)).readsRelation(500);
    add(3, "10s", T0.minusSeconds(11)).reads(1, 2);
    add(4, "calculated", T0.minusSeconds(11)).reads(3);
    add(5, "1s", T0.minusSeconds(5)).readsRelation(500);
    Plan plan = plan(T0);
    assertThat(plan.units()).hasSize(3);
    assertThat(plan.units().get(0).members()).containsExactly(1L, 2L, 3L);
    assertThat(plan.units().get(0).reasons().get(1L)).contains("diamond");
    assertThat(plan.units().get(1).members()).containsExactly(4L);
    assertThat(plan.units().get(1).after()).containsExactly(0);
    assertThat(plan.units().get(2).members()).containsExactly(5L);
  }

  @Test
  void fastestDiamondFiresWhenAnyMemberIsDue() throws Exception {
    add(1, "10s", T0.minusSeconds(11)).readsRelation(500); // due
    add(2, "1h", T0.minusSeconds(5)).readsRelation(500);
    add(3, "1h", T0.minusSeconds(5)).reads(1, 2); // fastest by default
    assertThat(plan(T0).units())
        .extracting(RefreshUnit::members)
        .containsExactly(List.of(1L, 2L, 3L));
  }

  @Test
  void slowestDiamondWaitsUntilEveryMemberIsDue() throws Exception {
    add(1, "10s", T0.minusSeconds(11)).readsRelation(500); // due
    add(2, "1m", T0.minusSeconds(50)).readsRelation(500); // due in 10 s
    add(3, "30s", T0.minusSeconds(31)).reads(1, 2).policy = DiamondSchedulePolicy.SLOWEST;
    add(4, "1s", T0.minusSeconds(2)).readsRelation(501); // unrelated, due
    assertThat(plan(T0).units()).extracting(RefreshUnit::members).containsExactly(List.of(4L));
    assertThat(plan(T0.plusSeconds(10)).units())
        .extracting(RefreshUnit::members)
        .containsExactly(List.of(1L, 2L, 3L), List.of(4L));
  }

  @Test
  void slowestDiamondCountsCalculatedMembersAsReady() throws Exception {
    add(1, "calculated", T0.minusSeconds(5)).readsRelation(500);
    add(2, "calculated", T0.minusSeconds(5)).readsRelation(500);
    add(3, "10s", T0.minusSeconds(11)).reads(1, 2).policy = DiamondSchedulePolicy.SLOWEST;
    assertThat(plan(T0).units())
        .extracting(RefreshUnit::members)
        .containsExactly(List.of(1L, 2L, 3L));
    assertThat(plan(T0.minusSeconds(2)).units()).isEmpty();
  }

  @Test
  void diamondThroughASharedStreamTableLeavesTheSharedOneOut() throws Exception {
    add(1, "1h", T0.minusSeconds(5)).readsRelation(500);
    add(2, "1h", T0.minusSeconds(5)).reads(1);
    add(3, "1h", T0.minusSeconds(5)).reads(2);
    add(4, "1h", T0.minusSeconds(5)).reads(1);
    add(5, "10s", T0.minusSeconds(11)).reads(3, 4);
    assertThat(plan(T0).units())
        .extracting(RefreshUnit::members)
        .containsExactly(List.of(2L, 3L, 4L, 5L));
  }

  @Test
  void withoutAtomicConsistencyDiamondMembersRunAlone() throws Exception {
    add(1, "1h", T0.minusSeconds(5)).readsRelation(500);
    add(2, "1h", T0.minusSeconds(5)).readsRelation(500);
    add(3, "10s", T0.minusSeconds(11)).reads(1, 2).diamond = DiamondConsistency.NONE;
    assertThat(plan(T0).units()).extracting(RefreshUnit::members).containsExactly(List.of(3L));
  }

  @Test
  void readersOfDisjointSourcesAreNoDiamond() throws Exception {
    add(1, "1h", T0.minusSeconds(5)).readsRelation(500);
    add(2, "1h", T0.minusSeconds(5)).readsRelation(501);
    add(3, "10s", T0.minusSeconds(11)).reads(1, 2);
    assertThat(plan(T0).units()).extracting(RefreshUnit::members).containsExactly(List.of(3L));
  }

  @Test
  void independentTablesNeedNoWaitsSoTheyMayRunInParallel() throws Exception {
    add(1, "1s", null);
    add(2, "1s", null);
    add(3, "1s", null).reads(1);
    Plan plan = plan(T0);
    assertThat(plan.units())
        .extracting(RefreshUnit::after)
        .containsExactly(Set.of(), Set.of(), Set.of(0));
  }

  @Test
  void theSamePlanForTheSameViewAndInstant() throws Exception {
    for (int i = 1; i <= 30; i++) {
      Builder b = add(i, i % 3 == 0 ? "calculated" : (i % 5) + 1 + "s", T0.minusSeconds(i % 7));
      if (i > 3) {
        b.reads(i / 2, i / 3).readsRelation(1000 + i % 4);
      }
    }
    assertThat(plan(T0)).isEqualTo(plan(T0));
  }

  @Test
  void invalidSettingsAreRejectedWithTheirName() {
    assertThatThrownBy(() -> SchedulerConfig.DEFAULTS.withWorkers(0))
        .hasMessageContaining("workers");
    assertThatThrownBy(() -> SchedulerConfig.DEFAULTS.withMaxConsecutiveErrors(0))
        .hasMessageContaining("maxConsecutiveErrors");
    assertThatThrownBy(() -> SchedulerConfig.DEFAULTS.withTick(Duration.ZERO))
        .hasMessageContaining("tick");
    assertThatThrownBy(
            () ->
                SchedulerConfig.DEFAULTS.withBackoff(Duration.ofSeconds(5), Duration.ofSeconds(1)))
        .hasMessageContaining("backoff");
  }

  private List<Long> planAt(Instant now) throws Exception {
    return plan(now).tables().stream().sorted().toList();
  }

  private Plan plan(Instant now) throws Exception {
    Clock clock = Clock.fixed(now, ZoneOffset.UTC);
    return new Planner(CONFIG, clock.getZone()).plan(new CatalogView(built()), clock.instant());
  }

  // --- a small mutable builder, turned into TableStates when planning ---

  private final List<Builder> builders = new ArrayList<>();

  private List<TableState> built() throws Exception {
    List<TableState> out = new ArrayList<>();
    for (Builder b : builders) {
      out.add(b.build());
    }
    return out;
  }

  private Builder add(long id, String schedule, Instant data) {
    Builder b = new Builder(id, schedule, data);
    builders.add(b);
    return b;
  }

  private static final class Builder {
    final long id;
    final String schedule;
    final Instant data;
    Tier tier = Tier.HOT;
    Status status = Status.ACTIVE;
    RefreshMode mode = RefreshMode.DIFFERENTIAL;
    boolean storageExists = true;
    int errors;
    Instant lastError;
    DiamondConsistency diamond = DiamondConsistency.ATOMIC;
    DiamondSchedulePolicy policy = DiamondSchedulePolicy.FASTEST;
    final List<Long> streamSources = new ArrayList<>();
    final List<Long> relations = new ArrayList<>();

    Builder(long id, String schedule, Instant data) {
      this.id = id;
      this.schedule = schedule;
      this.data = data;
    }

    Builder reads(long... ids) {
      for (long source : ids) {
        if (source != id) {
          streamSources.add(source);
          relations.add(10_000 + source); // a stream table's storage OID
        }
      }
      return this;
    }

    Builder readsRelation(long relid) {
      relations.add(relid);
      return this;
    }

    Builder failed(int n, Instant at) {
      status = Status.ERROR;
      errors = n;
      lastError = at;
      return this;
    }

    TableState build() throws Exception {
      return new TableState(
          id,
          "public.st" + id,
          Schedule.parse(schedule),
          tier,
          status,
          mode,
          storageExists,
          data,
          errors,
          lastError,
          diamond,
          policy,
          Set.copyOf(streamSources),
          Set.copyOf(relations),
          "v" + id);
    }
  }
}
