package io.pgtrickle.engine.refresh;

import io.pgtrickle.engine.catalog.StreamTable;
import io.pgtrickle.engine.cdc.ChangeBuffers;
import io.pgtrickle.engine.cdc.Frontier;
import io.pgtrickle.engine.cdc.Frontiers;
import io.pgtrickle.engine.cdc.SourceColumn;
import io.pgtrickle.engine.query.IncrementalPlan;
import io.pgtrickle.engine.query.OutputColumn;
import io.pgtrickle.engine.session.Row;
import io.pgtrickle.engine.session.SqlSession;
import io.pgtrickle.sql.delta.DeltaGenerator;
import io.pgtrickle.sql.delta.SourceLeaf;
import io.pgtrickle.sql.delta.Target;
import io.pgtrickle.sql.plan.TableRef;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A DIFFERENTIAL refresh: apply the changes pending in the sources' buffers.
 *
 * <p>One statement reads the pending changes, the sources and the stream table in one snapshot,
 * applies the delta, and reports that snapshot, which becomes every source's new frontier; the
 * frontiers, the history row and the pruning follow in the same transaction. Nothing pending is a
 * NO_DATA refresh that touches only the catalog; a TRUNCATE of a source is answered by a full
 * recomputation, recorded as such with the reason.
 */
final class DifferentialRefresh {
  private DifferentialRefresh() {}

  /**
   * Applies the pending changes.
   *
   * @param by who asked, for the history; null for maintenance in the writer's transaction, which
   *     is not recorded (it would be a history row per statement)
   */
  static RefreshResult run(SqlSession s, StreamTable st, InitiatedBy by) throws SQLException {
    Map<Long, Frontier> frontiers = Frontiers.load(s, st.id());
    Map<Long, Boolean> changed = new LinkedHashMap<>();
    String truncated = pending(s, frontiers, changed);
    if (truncated != null) {
      return Refresher.full(s, st, by, "source " + truncated + " was truncated");
    }
    if (!changed.containsValue(true)) {
      RefreshResult r = noData(s);
      if (by != null) {
        RefreshHistory.completed(s, st.id(), r, by, "no pending changes");
      }
      return r;
    }
    List<OutputColumn> columns = OutputColumn.ofTable(s, st.relid());
    IncrementalPlan plan = IncrementalPlan.cachedOrPlan(s, st.definingQuery(), columns);
    Map<String, Long> relids = resolve(s, plan);
    Map<Long, List<SourceColumn>> sourceColumns = ChangeBuffers.columns(s, frontiers.keySet());
    Map<String, SourceLeaf> leaves = new HashMap<>();
    for (Map.Entry<String, Long> e : relids.entrySet()) {
      long relid = e.getValue();
      List<SourceLeaf.Column> cols =
          sourceColumns.getOrDefault(relid, List.of()).stream()
              .map(c -> new SourceLeaf.Column(c.name(), c.type()))
              .toList();
      leaves.put(
          e.getKey(),
          new SourceLeaf(
              ChangeBuffers.bufferName(relid),
              cols,
              frontiers.get(relid).pendingPredicate("__pgt_b"),
              changed.get(relid)));
    }
    List<Long> sources = new ArrayList<>(frontiers.keySet());
    List<String> extras = new ArrayList<>();
    extras.add("statement_timestamp()");
    extras.add("pg_current_snapshot()::text");
    extras.add("pg_current_xact_id()::text");
    for (long relid : sources) {
      extras.add(
          "(SELECT coalesce(max(__pgt_change_id), 0) FROM "
              + ChangeBuffers.bufferName(relid)
              + " WHERE __pgt_xid = pg_current_xact_id())");
    }
    boolean algebraic = plan.shape().strategy() == DeltaGenerator.Strategy.ALGEBRAIC;
    Target target =
        new Target(
            st.sqlName(),
            columns.stream().map(OutputColumn::name).toList(),
            extras,
            algebraic ? RunningTotals.name(st.id()) : null);
    String sql = DeltaGenerator.generate(plan.block(), plan.shape(), leaves, target);
    Row r = s.rawQuery(sql).get(0);
    RefreshResult result =
        new RefreshResult(
            RefreshAction.DIFFERENTIAL,
            r.longValue(0),
            r.longValue(1),
            r.text(2),
            r.text(3),
            r.text(4));
    for (int i = 0; i < sources.size(); i++) {
      Frontiers.advance(
          s, st.id(), sources.get(i), new Frontier(r.text(3), r.text(4), r.longValue(5 + i)));
    }
    if (algebraic && !plan.block().groupBy().isEmpty()) {
      RunningTotals.dropEmptyGroups(s, st.id());
    }
    if (by != null) {
      RefreshHistory.completed(s, st.id(), result, by, "pending changes applied");
    }
    for (long relid : sources) {
      Frontiers.prune(s, relid);
    }
    return result;
  }

  /**
   * Fills {@code changed} with whether each source has pending changes; returns the name of a
   * source with a pending TRUNCATE, or null.
   */
  private static String pending(
      SqlSession s, Map<Long, Frontier> frontiers, Map<Long, Boolean> changed) throws SQLException {
    List<String> probes = new ArrayList<>();
    List<Long> order = new ArrayList<>(frontiers.keySet());
    for (long relid : order) {
      String buffer = ChangeBuffers.bufferName(relid);
      String pendingRows =
          "FROM " + buffer + " __pgt_b WHERE " + frontiers.get(relid).pendingPredicate("__pgt_b");
      probes.add("EXISTS (SELECT 1 " + pendingRows + ")");
      probes.add("EXISTS (SELECT 1 " + pendingRows + " AND __pgt_b.__pgt_op = 'T')");
    }
    Row r = s.rawQuery("SELECT " + String.join(", ", probes)).get(0);
    for (int i = 0; i < order.size(); i++) {
      changed.put(order.get(i), r.bool(2 * i));
      if (r.bool(2 * i + 1)) {
        return s.queryOne("SELECT ?::oid::regclass::text", order.get(i)).text(0);
      }
    }
    return null;
  }

  private static RefreshResult noData(SqlSession s) throws SQLException {
    Row r =
        s.queryOne(
            "SELECT statement_timestamp(), pg_current_snapshot()::text,"
                + " pg_current_xact_id_if_assigned()::text");
    return new RefreshResult(RefreshAction.NO_DATA, 0, 0, r.text(0), r.text(1), r.text(2));
  }

  /** Each alias of the query to the OID of its table, in one round trip. */
  private static Map<String, Long> resolve(SqlSession s, IncrementalPlan plan) throws SQLException {
    List<TableRef> tables = plan.block().tables();
    List<Row> oids =
        s.query(
            "SELECT t.name::regclass::oid FROM unnest(string_to_array(?, chr(31)))"
                + " WITH ORDINALITY AS t(name, i) ORDER BY t.i",
            tables.stream().map(TableRef::sqlName).collect(Collectors.joining("\u001f")));
    Map<String, Long> out = new LinkedHashMap<>();
    for (int i = 0; i < tables.size(); i++) {
      out.put(tables.get(i).alias(), oids.get(i).longValue(0));
    }
    return out;
  }
}
