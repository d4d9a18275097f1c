package io.pgtrickle.engine.refresh;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.pgtrickle.engine.catalog.StreamTable;
import io.pgtrickle.engine.cdc.ChangeBuffers;
import io.pgtrickle.engine.cdc.Frontier;
import io.pgtrickle.engine.cdc.Frontiers;
import io.pgtrickle.engine.cdc.PendingChanges;
import io.pgtrickle.engine.query.IncrementalPlan;
import io.pgtrickle.engine.query.OutputColumn;
import io.pgtrickle.engine.session.Row;
import io.pgtrickle.engine.session.SqlSession;
import io.pgtrickle.engine.session.SqlSession.Update;
import io.pgtrickle.errors.PgTrickleException;
import io.pgtrickle.errors.SqlState;
import io.pgtrickle.sql.delta.DeltaGenerator;
import io.pgtrickle.sql.delta.SourceLeaf;
import io.pgtrickle.sql.delta.Target;
import io.pgtrickle.sql.lex.Identifiers;
import io.pgtrickle.sql.plan.TableRef;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
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
 *
 * <p>Round trips are the fixed cost of a refresh, so they are few: one statement finds where the
 * stream table stands in every buffer ({@link PendingChanges}); with changes pending, one reads the
 * columns and table OIDs the delta needs, one applies the delta, and one sends the bookkeeping
 * after it (frontiers, emptied groups, history, pruning) as a batch.
 */
final class DifferentialRefresh {
  /**
   * The sources of each stream table, by id and defining query, as the last refresh found them:
   * which buffers the first statement probes. {@link PendingChanges#read} notices a stale entry.
   */
  private static final Cache<String, List<Long>> SOURCES =
      Caffeine.newBuilder().maximumSize(10_000).build();

  private DifferentialRefresh() {}

  /**
   * Applies the pending changes.
   *
   * @param by who asked, for the history; null for maintenance in the writer's transaction, which
   *     is not recorded (it would be a history row per statement)
   */
  static RefreshResult run(SqlSession s, StreamTable st, InitiatedBy by) throws SQLException {
    PendingChanges pending = pendingChanges(s, st);
    String truncated = pending.truncatedSource();
    if (truncated != null) {
      return Refresher.full(s, st, by, "source " + truncated + " was truncated");
    }
    if (!pending.anyPending()) {
      RefreshResult r =
          new RefreshResult(
              RefreshAction.NO_DATA,
              0,
              0,
              pending.startTime(),
              pending.snapshot(),
              pending.ownXid());
      if (by != null) {
        RefreshHistory.completed(s, st.id(), r, by, "no pending changes");
      }
      return r;
    }
    IncrementalPlan plan = IncrementalPlan.cached(st.definingQuery());
    if (plan == null) {
      plan =
          IncrementalPlan.cachedOrPlan(s, st.definingQuery(), OutputColumn.ofTable(s, st.relid()));
    }
    Described described = describe(s, st, plan, pending.sources().keySet());
    Map<String, SourceLeaf> leaves = new HashMap<>();
    for (Map.Entry<String, Long> e : described.relids().entrySet()) {
      long relid = e.getValue();
      PendingChanges.Source source = pending.sources().get(relid);
      leaves.put(
          e.getKey(),
          new SourceLeaf(
              ChangeBuffers.bufferName(relid),
              described.sourceColumns().getOrDefault(relid, List.of()),
              source.frontier().pendingPredicate("__pgt_b"),
              source.pending()));
    }
    List<Long> sources = new ArrayList<>(pending.sources().keySet());
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
    for (PendingChanges.Source source : pending.sources().values()) {
      if (!source.pending() && source.frontier() != null) {
        extras.add(arrivedLate(st, source));
      }
    }
    boolean algebraic = plan.shape().strategy() == DeltaGenerator.Strategy.ALGEBRAIC;
    boolean grouped = algebraic && !plan.block().groupBy().isEmpty();
    // The result row is the inserted and deleted counts, then the extras.
    int emptiedColumn = 2 + extras.size();
    if (grouped) {
      extras.add(DeltaGenerator.emptiedGroups());
    }
    Target target =
        new Target(
            st.sqlName(),
            described.columns().stream().map(OutputColumn::name).toList(),
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
    List<Update> after = new ArrayList<>();
    for (int i = 0; i < sources.size(); i++) {
      after.add(
          Frontiers.advance(
              st.id(), sources.get(i), new Frontier(r.text(3), r.text(4), r.longValue(5 + i))));
    }
    if (grouped && r.longValue(emptiedColumn) > 0) {
      after.add(RunningTotals.dropEmptyGroups(st.id()));
    }
    if (by != null) {
      after.add(RefreshHistory.completed(st.id(), result, by, "pending changes applied"));
    }
    for (PendingChanges.Source source : pending.sources().values()) {
      if (source.mayPrune()) {
        after.add(Frontiers.prune(source.relid()));
      }
    }
    s.updateAll(after);
    return result;
  }

  /**
   * An extra result that fails the delta statement if {@code source}, which had nothing pending
   * when probed, has changes in the statement's own snapshot. The delta leaves out the terms of a
   * source without changes, yet every frontier moves to that snapshot, so changes committed between
   * the probe and the delta would be skipped for good. Failing the statement undoes it whole; 40001
   * says to retry, as a concurrent refresh under REPEATABLE READ does.
   */
  private static String arrivedLate(StreamTable st, PendingChanges.Source source) {
    return "(CASE WHEN EXISTS (SELECT 1 FROM "
        + ChangeBuffers.bufferName(source.relid())
        + " __pgt_b WHERE "
        + source.frontier().pendingPredicate("__pgt_b")
        + ") THEN pgtrickle._raise('40001', "
        + Identifiers.quoteLiteral(
            "changes to "
                + source.name()
                + " arrived during the refresh of stream table "
                + st.displayName())
        + ", NULL, 'Retry: the refresh was undone and nothing was skipped.') END)";
  }

  /**
   * Where {@code st} stands in its buffers: one statement when its sources are known from an
   * earlier refresh, two the first time (or after its sources changed).
   */
  private static PendingChanges pendingChanges(SqlSession s, StreamTable st) throws SQLException {
    String key = st.id() + "\u0000" + st.definingQuery();
    List<Long> known = SOURCES.getIfPresent(key);
    PendingChanges p = known == null ? null : PendingChanges.read(s, st.id(), known);
    // A mismatch right after reading the list means an ALTER committed in between (a writer's
    // maintenance does not hold the catalog row); a few tries settle it.
    for (int attempt = 0; p == null; attempt++) {
      if (attempt == 3) {
        throw PgTrickleException.builder(
                SqlState.SERIALIZATION_FAILURE,
                "the sources of stream table " + st.displayName() + " changed during its refresh")
            .hint("Retry the transaction.")
            .build();
      }
      known = List.copyOf(Frontiers.load(s, st.id()).keySet());
      p = PendingChanges.read(s, st.id(), known);
    }
    SOURCES.put(key, known);
    return p;
  }

  /**
   * What the delta statement is written from.
   *
   * @param columns the stream table's columns
   * @param sourceColumns each source's columns, by OID
   * @param relids each alias of the query to the OID of its table
   */
  private record Described(
      List<OutputColumn> columns,
      Map<Long, List<SourceLeaf.Column>> sourceColumns,
      Map<String, Long> relids) {}

  /**
   * Reads the stream table's columns, the sources' columns and the OIDs of the query's tables in
   * one round trip. Rows are tagged: {@code o} a stream-table column, {@code s} a source column,
   * {@code r} a table of the query, each with a number that orders it.
   */
  private static Described describe(
      SqlSession s, StreamTable st, IncrementalPlan plan, Collection<Long> sources)
      throws SQLException {
    List<TableRef> tables = plan.block().tables();
    List<Row> rows =
        s.query(
            "SELECT 'o', 0::bigint, attnum::bigint, attname::text,"
                + " format_type(atttypid, atttypmod) FROM pg_catalog.pg_attribute"
                + " WHERE attrelid = ?::oid AND attnum > 0 AND NOT attisdropped"
                + " UNION ALL SELECT 's', attrelid::bigint, attnum::bigint, attname::text,"
                + " format_type(atttypid, atttypmod) FROM pg_catalog.pg_attribute"
                + " WHERE attrelid = ANY (string_to_array(?, ',')::oid[])"
                + " AND attnum > 0 AND NOT attisdropped"
                + " UNION ALL SELECT 'r', 0::bigint, t.i, t.name, t.name::regclass::oid::text"
                + " FROM unnest(string_to_array(?, chr(31))) WITH ORDINALITY AS t(name, i)"
                + " ORDER BY 1, 2, 3",
            st.relid(),
            sources.stream().map(String::valueOf).collect(Collectors.joining(",")),
            tables.stream().map(TableRef::sqlName).collect(Collectors.joining("\u001f")));
    List<OutputColumn> columns = new ArrayList<>();
    Map<Long, List<SourceLeaf.Column>> sourceColumns = new HashMap<>();
    List<Long> oids = new ArrayList<>();
    for (Row row : rows) {
      switch (row.text(0)) {
        case "o" -> columns.add(new OutputColumn(row.text(3), row.text(4)));
        case "s" ->
            sourceColumns
                .computeIfAbsent(row.longValue(1), k -> new ArrayList<>())
                .add(new SourceLeaf.Column(row.text(3), row.text(4)));
        default -> oids.add(row.longValue(4));
      }
    }
    Map<String, Long> relids = new LinkedHashMap<>();
    for (int i = 0; i < tables.size(); i++) {
      relids.put(tables.get(i).alias(), oids.get(i));
    }
    return new Described(columns, sourceColumns, relids);
  }
}
