package io.pgtrickle.engine.immediate;

import io.pgtrickle.engine.catalog.StreamTable;
import io.pgtrickle.engine.catalog.StreamTables;
import io.pgtrickle.engine.cdc.ChangeBuffers;
import io.pgtrickle.engine.refresh.Refresher;
import io.pgtrickle.engine.session.Row;
import io.pgtrickle.engine.session.SqlSession;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
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
  private static List<StreamTable> ordered(Map<StreamTable, List<Long>> all) {
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
   * some, in dependency order: one that reads a stream table maintained just before it is
   * maintained too, since that filled its change buffer. Committed changes of writers that bypassed
   * interception are applied with them.
   *
   * @return how many stream tables were maintained
   */
  public static int flush(SqlSession s) throws SQLException {
    return maintain(s, true);
  }

  /**
   * Applies all pending changes to every IMMEDIATE stream table that has some, whoever wrote them:
   * for writes that committed without maintenance (a procedure that commits on its own, a write
   * that bypassed interception). Run it in a transaction of its own.
   *
   * @return how many stream tables were maintained
   */
  public static int catchUp(SqlSession s) throws SQLException {
    return maintain(s, false);
  }

  private static int maintain(SqlSession s, boolean ownOnly) throws SQLException {
    Map<StreamTable, List<Long>> all = StreamTables.immediate(s);
    if (all.isEmpty()) {
      return 0;
    }
    Set<Long> pending = withPendingChanges(s, all, ownOnly);
    Set<Long> maintainedRelids = new HashSet<>();
    for (StreamTable st : ordered(all)) {
      boolean readsMaintained = all.get(st).stream().anyMatch(maintainedRelids::contains);
      if (pending.contains(st.id()) || readsMaintained) {
        Refresher.immediate(s, st);
        maintainedRelids.add(st.relid());
      }
    }
    return maintainedRelids.size();
  }

  /**
   * The ids of the stream tables with changes pending in a source's buffer (only this
   * transaction's, with {@code ownOnly}), in one round trip for all of them.
   */
  private static Set<Long> withPendingChanges(
      SqlSession s, Map<StreamTable, List<Long>> all, boolean ownOnly) throws SQLException {
    Set<Long> sources = new TreeSet<>();
    all.values().forEach(sources::addAll);
    StringBuilder sql =
        new StringBuilder(
            "SELECT DISTINCT d.pgt_id FROM pgtrickle.pgt_dependencies d"
                + " WHERE d.consumed_snapshot IS NOT NULL AND d.pgt_id IN (");
    sql.append(
        all.keySet().stream().map(st -> Long.toString(st.id())).collect(Collectors.joining(", ")));
    sql.append(") AND CASE d.source_relid");
    for (long relid : sources) {
      sql.append(" WHEN ")
          .append(relid)
          .append(" THEN EXISTS (SELECT 1 FROM ")
          .append(ChangeBuffers.bufferName(relid))
          .append(" b WHERE ")
          .append(ownOnly ? "b.__pgt_xid = pg_current_xact_id_if_assigned() AND " : "")
          .append("NOT pgtrickle.behind_frontier(b.__pgt_xid, b.__pgt_change_id,")
          .append(" d.consumed_snapshot, d.consumed_xid, d.consumed_change_id))");
    }
    sql.append(" ELSE false END");
    Set<Long> out = new HashSet<>();
    for (Row r : s.rawQuery(sql.toString())) {
      out.add(r.longValue(0));
    }
    return out;
  }
}
