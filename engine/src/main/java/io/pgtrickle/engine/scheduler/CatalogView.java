package io.pgtrickle.engine.scheduler;

import io.pgtrickle.engine.model.DiamondConsistency;
import io.pgtrickle.engine.model.DiamondSchedulePolicy;
import io.pgtrickle.engine.model.RefreshMode;
import io.pgtrickle.engine.model.Schedule;
import io.pgtrickle.engine.model.Status;
import io.pgtrickle.engine.model.Tier;
import io.pgtrickle.engine.session.Row;
import io.pgtrickle.engine.session.SqlSession;
import io.pgtrickle.errors.PgTrickleException;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stream tables and the dependency graph between them, as read from the catalog in one
 * statement at the start of a scheduling cycle. Immutable.
 */
public final class CatalogView {
  private static final Logger LOG = LoggerFactory.getLogger(CatalogView.class);

  private final Map<Long, TableState> tables;
  private final Map<Long, Set<Long>> readers;
  private final List<Long> topologicalOrder;

  /** A view of the given stream tables; edges to ids not among them are ignored. */
  public CatalogView(Collection<TableState> states) {
    Map<Long, TableState> byId = new TreeMap<>();
    for (TableState t : states) {
      byId.put(t.id(), t);
    }
    Map<Long, Set<Long>> readersOf = new HashMap<>();
    for (TableState t : byId.values()) {
      readersOf.putIfAbsent(t.id(), new HashSet<>());
      for (long source : t.readsStreamTables()) {
        if (byId.containsKey(source)) {
          readersOf.computeIfAbsent(source, k -> new HashSet<>()).add(t.id());
        }
      }
    }
    this.tables = java.util.Collections.unmodifiableMap(byId);
    Map<Long, Set<Long>> frozen = new HashMap<>();
    readersOf.forEach((k, v) -> frozen.put(k, Set.copyOf(v)));
    this.readers = Map.copyOf(frozen);
    this.topologicalOrder = List.copyOf(sort(byId, this.readers));
  }

  /** Reads every stream table and its sources in one round trip. */
  public static CatalogView load(SqlSession s) throws SQLException {
    List<TableState> states = new ArrayList<>();
    for (Row r :
        s.query(
            "SELECT s.pgt_id, s.pgt_schema || '.' || s.pgt_name, s.schedule, s.refresh_tier,"
                + " s.status, s.effective_refresh_mode, c.oid IS NOT NULL,"
                + " (extract(epoch FROM s.data_timestamp) * 1000000)::bigint,"
                + " s.consecutive_errors,"
                + " (extract(epoch FROM s.last_error_at) * 1000000)::bigint,"
                + " s.diamond_consistency, s.diamond_schedule_policy,"
                + " (SELECT string_agg(u.pgt_id::text, ',') FROM pgtrickle.pgt_dependencies d"
                + "   JOIN pgtrickle.pgt_stream_tables u ON u.pgt_relid = d.source_relid"
                + "   WHERE d.pgt_id = s.pgt_id),"
                + " (SELECT string_agg(d.source_relid::text, ',')"
                + "   FROM pgtrickle.pgt_dependencies d WHERE d.pgt_id = s.pgt_id),"
                + " s.xmin::text"
                + " FROM pgtrickle.pgt_stream_tables s"
                + " LEFT JOIN pg_catalog.pg_class c ON c.oid = s.pgt_relid")) {
      String effective = r.text(5);
      states.add(
          new TableState(
              r.longValue(0),
              r.text(1),
              schedule(r.text(1), r.text(2)),
              Tier.valueOf(r.text(3).toUpperCase(Locale.ROOT)),
              Status.valueOf(r.text(4)),
              effective == null ? null : RefreshMode.valueOf(effective),
              r.bool(6),
              micros(r.nullableLong(7)),
              (int) r.longValue(8),
              micros(r.nullableLong(9)),
              DiamondConsistency.valueOf(r.text(10).toUpperCase(Locale.ROOT)),
              DiamondSchedulePolicy.valueOf(r.text(11).toUpperCase(Locale.ROOT)),
              ids(r.text(12)),
              ids(r.text(13)),
              r.text(14)));
    }
    return new CatalogView(states);
  }

  /** The stream table with this id, or null. */
  public TableState get(long id) {
    return tables.get(id);
  }

  /** Every stream table, by id. */
  public Map<Long, TableState> tables() {
    return tables;
  }

  /** The stream tables that read {@code id} directly. */
  public Set<Long> readers(long id) {
    return readers.getOrDefault(id, Set.of());
  }

  /** Every id, sources before their readers (ties by id). */
  public List<Long> topologicalOrder() {
    return topologicalOrder;
  }

  /**
   * {@code id}, every stream table it reads directly or indirectly, and every relation any of them
   * reads (as OIDs, prefixed so they cannot be confused with ids): whatever its contents derive
   * from.
   */
  Set<String> lineage(long id) {
    Set<String> out = new HashSet<>();
    Deque<Long> todo = new ArrayDeque<>(List.of(id));
    Set<Long> seen = new HashSet<>();
    while (!todo.isEmpty()) {
      long n = todo.pop();
      if (!seen.add(n)) {
        continue;
      }
      out.add("st:" + n);
      TableState t = tables.get(n);
      if (t == null) {
        continue;
      }
      for (long relid : t.readsRelations()) {
        out.add("rel:" + relid);
      }
      for (long source : t.readsStreamTables()) {
        if (tables.containsKey(source)) {
          todo.push(source);
        }
      }
    }
    return out;
  }

  /** The stream tables {@code id} reads directly or indirectly, not {@code id} itself. */
  Set<Long> ancestors(long id) {
    Set<Long> out = new HashSet<>();
    Deque<Long> todo = new ArrayDeque<>(tables.get(id).readsStreamTables());
    while (!todo.isEmpty()) {
      long n = todo.pop();
      if (tables.containsKey(n) && out.add(n)) {
        todo.addAll(tables.get(n).readsStreamTables());
      }
    }
    return out;
  }

  /** Kahn's algorithm; a cycle (rejected at create time, so never expected) is appended last. */
  private static List<Long> sort(Map<Long, TableState> byId, Map<Long, Set<Long>> readersOf) {
    Map<Long, Integer> pending = new LinkedHashMap<>();
    for (TableState t : byId.values()) {
      int n = 0;
      for (long source : t.readsStreamTables()) {
        if (byId.containsKey(source) && source != t.id()) {
          n++;
        }
      }
      pending.put(t.id(), n);
    }
    TreeMap<Long, Boolean> ready = new TreeMap<>();
    pending.forEach(
        (id, n) -> {
          if (n == 0) {
            ready.put(id, true);
          }
        });
    List<Long> order = new ArrayList<>();
    while (!ready.isEmpty()) {
      long id = ready.pollFirstEntry().getKey();
      order.add(id);
      for (long reader : readersOf.getOrDefault(id, Set.of())) {
        if (reader != id && pending.merge(reader, -1, Integer::sum) == 0) {
          ready.put(reader, true);
        }
      }
    }
    if (order.size() < byId.size()) {
      for (long id : byId.keySet()) {
        if (!order.contains(id)) {
          LOG.warn("stream table {} is part of a dependency cycle", byId.get(id).name());
          order.add(id);
        }
      }
    }
    return order;
  }

  private static Schedule schedule(String name, String text) {
    try {
      return Schedule.parse(text);
    } catch (PgTrickleException e) {
      // Validated when it was set; a value this engine cannot read is not refreshed.
      LOG.warn("stream table {} has a schedule this engine cannot read: {}", name, text);
      return new Schedule.Manual();
    }
  }

  private static Instant micros(Long value) {
    return value == null
        ? null
        : Instant.ofEpochSecond(
            Math.floorDiv(value, 1_000_000L), Math.floorMod(value, 1_000_000L) * 1000);
  }

  private static Set<Long> ids(String list) {
    Set<Long> out = new HashSet<>();
    if (list != null) {
      for (String v : list.split(",")) {
        out.add(Long.parseLong(v));
      }
    }
    return out;
  }
}
