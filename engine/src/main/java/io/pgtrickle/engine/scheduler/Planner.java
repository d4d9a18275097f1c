package io.pgtrickle.engine.scheduler;

import io.pgtrickle.engine.model.DiamondConsistency;
import io.pgtrickle.engine.model.DiamondSchedulePolicy;
import io.pgtrickle.engine.model.Schedule;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Decides what one scheduling cycle refreshes, from one consistent view of the catalog and one
 * instant. Deterministic: the same view and instant give the same plan.
 *
 * <ol>
 *   <li>Every schedulable stream table that is not waiting out a backoff and is due by its own
 *       schedule ({@link DueRules}).
 *   <li>Pull: a due stream table first needs fresh input, so the calculated stream tables it reads
 *       (and the calculated ones those read, and so on) are refreshed before it.
 *   <li>Push: a calculated stream table that reads a stream table refreshed in this cycle follows
 *       it in the same cycle.
 *   <li>Diamonds: when a stream table with {@code diamond_consistency = 'atomic'} reads two stream
 *       tables that derive from a common source, the stream tables between that source and it form
 *       a group refreshed together, in one transaction. Its {@code diamond_schedule_policy} says
 *       when: 'fastest' (the default) as soon as any member is due, 'slowest' only once every
 *       member is (until then none of them is refreshed).
 *   <li>Units (single stream tables or diamond groups) are ordered so sources come first.
 * </ol>
 */
public final class Planner {
  private final SchedulerConfig config;
  private final ZoneId zone;

  /** A planner with the given settings; cron expressions are read in {@code zone}. */
  public Planner(SchedulerConfig config, ZoneId zone) {
    this.config = Objects.requireNonNull(config, "config");
    this.zone = Objects.requireNonNull(zone, "zone");
  }

  /** What is due at {@code now}. */
  public Plan plan(CatalogView view, Instant now) {
    Map<Long, String> due = new LinkedHashMap<>();
    for (long id : view.topologicalOrder()) {
      TableState t = view.get(id);
      if (runnable(t, now)) {
        String reason = DueRules.ownReason(t, view, now, config, zone);
        if (reason != null) {
          due.put(id, reason);
        }
      }
    }
    for (long id : List.copyOf(due.keySet())) {
      pullCalculatedSources(view, now, id, due);
    }
    for (long id : view.topologicalOrder()) {
      TableState t = view.get(id);
      if (!due.containsKey(id) && t.schedule() instanceof Schedule.Calculated && runnable(t, now)) {
        for (long source : t.readsStreamTables()) {
          if (due.containsKey(source)) {
            due.put(id, "follows " + view.get(source).name());
            break;
          }
        }
      }
    }
    UnionFind groups = new UnionFind();
    for (long id : view.topologicalOrder()) {
      TableState t = view.get(id);
      if (t.diamondConsistency() != DiamondConsistency.ATOMIC || !runnable(t, now)) {
        continue;
      }
      Set<Long> group = diamond(view, id, now);
      if (group.isEmpty()) {
        continue;
      }
      group.add(id);
      if (fires(t.diamondSchedulePolicy(), group, view, due)) {
        for (long member : group) {
          due.putIfAbsent(member, "diamond with " + t.name());
          groups.union(id, member);
        }
      } else if (t.diamondSchedulePolicy() == DiamondSchedulePolicy.SLOWEST) {
        group.forEach(due::remove); // refreshed alone, a member would run ahead of the others
      }
    }
    return units(view, due, groups);
  }

  /**
   * Whether an atomic diamond group is refreshed this cycle: 'fastest' when any member is due,
   * 'slowest' only when every member with a schedule of its own is (a calculated member is due
   * whenever its readers are).
   */
  private static boolean fires(
      DiamondSchedulePolicy policy, Set<Long> group, CatalogView view, Map<Long, String> due) {
    if (policy == DiamondSchedulePolicy.SLOWEST) {
      return group.stream()
          .allMatch(
              m -> due.containsKey(m) || view.get(m).schedule() instanceof Schedule.Calculated);
    }
    return group.stream().anyMatch(due::containsKey);
  }

  private boolean runnable(TableState t, Instant now) {
    return t.schedulable() && !DueRules.inBackoff(t, now, config);
  }

  private void pullCalculatedSources(
      CatalogView view, Instant now, long id, Map<Long, String> due) {
    for (long sourceId : view.get(id).readsStreamTables()) {
      TableState source = view.get(sourceId);
      if (source != null
          && !due.containsKey(sourceId)
          && source.schedule() instanceof Schedule.Calculated
          && runnable(source, now)) {
        due.put(sourceId, "read by " + view.get(id).name());
        pullCalculatedSources(view, now, sourceId, due);
      }
    }
  }

  /**
   * The stream tables that must be refreshed with {@code id} so that it never reads two sources
   * that disagree: those between it and whatever two of its sources share. Empty when there is no
   * diamond.
   */
  private Set<Long> diamond(CatalogView view, long id, Instant now) {
    List<Long> parents = new ArrayList<>();
    for (long p : view.get(id).readsStreamTables()) {
      if (view.get(p) != null) {
        parents.add(p);
      }
    }
    Set<String> shared = new HashSet<>();
    for (int i = 0; i < parents.size(); i++) {
      Set<String> a = view.lineage(parents.get(i));
      for (int j = i + 1; j < parents.size(); j++) {
        Set<String> common = new HashSet<>(view.lineage(parents.get(j)));
        common.retainAll(a);
        shared.addAll(common);
      }
    }
    Set<Long> members = new TreeSet<>();
    if (shared.isEmpty()) {
      return members;
    }
    for (long n : view.ancestors(id)) {
      if (shared.contains("st:" + n) || !runnable(view.get(n), now)) {
        continue; // a shared source is read at one snapshot by all members; no need to refresh it
      }
      Set<String> lineage = new HashSet<>(view.lineage(n));
      lineage.retainAll(shared);
      if (!lineage.isEmpty()) {
        members.add(n);
      }
    }
    return members;
  }

  /**
   * Groups the due stream tables into units, merges units that would have to wait for each other
   * (possible only with overlapping diamonds), and orders the units so sources come first.
   */
  private static Plan units(CatalogView view, Map<Long, String> due, UnionFind groups) {
    Map<Long, Integer> position = new HashMap<>();
    List<Long> order = view.topologicalOrder();
    for (int i = 0; i < order.size(); i++) {
      position.put(order.get(i), i);
    }
    // Merge units that wait on each other until the waits form no cycle.
    boolean merged = true;
    while (merged) {
      merged = false;
      Map<Long, Set<Long>> waits = waits(view, due.keySet(), groups);
      for (List<Long> cycle : Cycles.of(waits)) {
        for (long other : cycle) {
          merged |= groups.union(cycle.get(0), other);
        }
      }
    }
    Map<Long, List<Long>> byRoot = new TreeMap<>();
    for (long id : order) {
      if (due.containsKey(id)) {
        byRoot.computeIfAbsent(groups.find(id), k -> new ArrayList<>()).add(id);
      }
    }
    Map<Long, Set<Long>> waits = waits(view, due.keySet(), groups);
    // Kahn over units; ready units by the position of their first member.
    TreeMap<Integer, Long> ready = new TreeMap<>();
    Map<Long, Integer> pending = new HashMap<>();
    Map<Long, Set<Long>> waitedOnBy = new HashMap<>();
    for (long root : byRoot.keySet()) {
      Set<Long> w = waits.getOrDefault(root, Set.of());
      pending.put(root, w.size());
      for (long r : w) {
        waitedOnBy.computeIfAbsent(r, k -> new HashSet<>()).add(root);
      }
      if (w.isEmpty()) {
        ready.put(position.get(byRoot.get(root).get(0)), root);
      }
    }
    Map<Long, Integer> index = new HashMap<>();
    List<RefreshUnit> units = new ArrayList<>();
    while (!ready.isEmpty()) {
      long root = ready.pollFirstEntry().getValue();
      Set<Integer> after = new TreeSet<>();
      for (long r : waits.getOrDefault(root, Set.of())) {
        after.add(index.get(r));
      }
      Map<Long, String> reasons = new LinkedHashMap<>();
      for (long id : byRoot.get(root)) {
        reasons.put(id, due.get(id));
      }
      index.put(root, units.size());
      units.add(new RefreshUnit(byRoot.get(root), after, reasons));
      for (long next : waitedOnBy.getOrDefault(root, Set.of())) {
        if (pending.merge(next, -1, Integer::sum) == 0) {
          ready.put(position.get(byRoot.get(next).get(0)), next);
        }
      }
    }
    return new Plan(units);
  }

  /** For each unit (by root), the units it reads from directly. */
  private static Map<Long, Set<Long>> waits(CatalogView view, Set<Long> due, UnionFind groups) {
    Map<Long, Set<Long>> waits = new TreeMap<>();
    for (long id : due) {
      long root = groups.find(id);
      waits.computeIfAbsent(root, k -> new TreeSet<>());
      for (long source : view.get(id).readsStreamTables()) {
        if (due.contains(source) && groups.find(source) != root) {
          waits.get(root).add(groups.find(source));
        }
      }
    }
    return waits;
  }

  /** Disjoint sets of stream table ids; the smallest id is a set's root. */
  private static final class UnionFind {
    private final Map<Long, Long> parent = new HashMap<>();

    long find(long id) {
      long p = parent.getOrDefault(id, id);
      if (p == id) {
        return id;
      }
      long root = find(p);
      parent.put(id, root);
      return root;
    }

    /** Joins the sets of {@code a} and {@code b}; whether they were apart. */
    boolean union(long a, long b) {
      long ra = find(a);
      long rb = find(b);
      if (ra == rb) {
        return false;
      }
      parent.put(Math.max(ra, rb), Math.min(ra, rb));
      return true;
    }
  }
}
