package io.pgtrickle.engine.immediate;

import io.pgtrickle.engine.catalog.StreamTable;
import io.pgtrickle.engine.catalog.StreamTables;
import io.pgtrickle.engine.cdc.ChangeBuffers;
import io.pgtrickle.engine.cdc.Frontier;
import io.pgtrickle.engine.cdc.Frontiers;
import io.pgtrickle.engine.refresh.Refresher;
import io.pgtrickle.engine.session.SqlSession;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Maintenance of IMMEDIATE stream tables in the writer's transaction: a differential refresh whose
 * pending changes include the transaction's own, so the writer reads its writes, and a savepoint or
 * transaction rollback undoes the maintenance with the changes.
 *
 * <p>Writers of one stream table's sources are serialised with each other and with its other
 * refreshes by the refresh lock ({@link Refresher}): under READ COMMITTED the maintenance then sees
 * the previous writer's; under REPEATABLE READ and SERIALIZABLE the snapshot predates it and
 * PostgreSQL fails the frontier update with 40001, so the application retries instead of committing
 * a wrong table.
 */
public final class ImmediateMaintenance {
  private ImmediateMaintenance() {}

  /** The IMMEDIATE stream tables, each after the IMMEDIATE stream tables it reads. */
  public static List<StreamTable> ordered(SqlSession s) throws SQLException {
    Map<StreamTable, List<Long>> all = StreamTables.immediate(s);
    List<StreamTable> out = new ArrayList<>();
    Set<Long> placed = new HashSet<>();
    Set<Long> immediateRelids =
        all.keySet().stream().map(StreamTable::relid).collect(Collectors.toSet());
    // The dependency graph has no cycles (create refuses them), so this terminates.
    while (out.size() < all.size()) {
      for (Map.Entry<StreamTable, List<Long>> e : all.entrySet()) {
        if (placed.contains(e.getKey().relid())) {
          continue;
        }
        boolean ready =
            e.getValue().stream()
                .noneMatch(r -> immediateRelids.contains(r) && !placed.contains(r));
        if (ready) {
          out.add(e.getKey());
          placed.add(e.getKey().relid());
        }
      }
    }
    return out;
  }

  /**
   * Applies the current transaction's pending changes to every IMMEDIATE stream table that has
   * some, in dependency order (maintaining one fills the change buffer of the next); committed
   * changes of writers that bypassed interception are applied with them.
   *
   * @return how many stream tables were maintained
   */
  public static int flush(SqlSession s) throws SQLException {
    int maintained = 0;
    for (StreamTable st : ordered(s)) {
      if (ownChangesPending(s, st)) {
        Refresher.immediate(s, st);
        maintained++;
      }
    }
    return maintained;
  }

  /** Whether this transaction wrote changes to a source of {@code st} not yet applied to it. */
  private static boolean ownChangesPending(SqlSession s, StreamTable st) throws SQLException {
    Map<Long, Frontier> frontiers = Frontiers.load(s, st.id());
    if (frontiers.isEmpty()) {
      return false;
    }
    List<String> probes = new ArrayList<>();
    for (Map.Entry<Long, Frontier> e : frontiers.entrySet()) {
      probes.add(
          "EXISTS (SELECT 1 FROM "
              + ChangeBuffers.bufferName(e.getKey())
              + " b WHERE b.__pgt_xid = pg_current_xact_id_if_assigned() AND "
              + e.getValue().pendingPredicate("b")
              + ")");
    }
    return s.rawQuery("SELECT " + String.join(" OR ", probes)).get(0).bool(0);
  }
}
