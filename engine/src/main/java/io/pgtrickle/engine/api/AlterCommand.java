package io.pgtrickle.engine.api;

import io.pgtrickle.engine.catalog.Dependency;
import io.pgtrickle.engine.catalog.SourceType;
import io.pgtrickle.engine.catalog.StreamTable;
import io.pgtrickle.engine.catalog.StreamTables;
import io.pgtrickle.engine.cdc.ChangeBuffers;
import io.pgtrickle.engine.model.CdcMode;
import io.pgtrickle.engine.model.DiamondConsistency;
import io.pgtrickle.engine.model.DiamondSchedulePolicy;
import io.pgtrickle.engine.model.RefreshMode;
import io.pgtrickle.engine.model.Schedule;
import io.pgtrickle.engine.model.Status;
import io.pgtrickle.engine.model.Tier;
import io.pgtrickle.engine.query.AnalyzedQuery;
import io.pgtrickle.engine.query.OutputColumn;
import io.pgtrickle.engine.query.QueryAnalyzer;
import io.pgtrickle.engine.refresh.InitiatedBy;
import io.pgtrickle.engine.refresh.Refresher;
import io.pgtrickle.engine.session.SqlSession;
import io.pgtrickle.errors.PgTrickleException;
import io.pgtrickle.errors.SqlState;
import io.pgtrickle.sql.lex.Identifiers;
import io.pgtrickle.sql.lex.QualifiedName;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code alter_stream_table}: change any subset of a stream table's definition. A NULL argument
 * leaves that property as it is. Everything happens in one transaction, so a failure leaves the
 * stream table unchanged.
 */
final class AlterCommand {
  private AlterCommand() {}

  /** The properties to change; null fields are left alone. Values are validated on parsing. */
  record Changes(
      String query,
      Schedule schedule,
      RefreshMode refreshMode,
      Status status,
      DiamondConsistency diamondConsistency,
      DiamondSchedulePolicy diamondSchedulePolicy,
      CdcMode cdcMode,
      Boolean appendOnly,
      Boolean poolerCompatibilityMode,
      Tier tier) {

    /** Parses the raw parameter values of {@code alter_stream_table}. */
    static Changes parse(
        String query,
        String schedule,
        String refreshMode,
        String status,
        String diamondConsistency,
        String diamondSchedulePolicy,
        String cdcMode,
        Boolean appendOnly,
        Boolean poolerCompatibilityMode,
        String tier)
        throws PgTrickleException {
      RefreshMode mode = refreshMode == null ? null : RefreshMode.parse(refreshMode);
      Schedule sched = null;
      if (StreamTableOptions.isImmediateSchedule(schedule)) {
        mode = RefreshMode.IMMEDIATE;
        sched = new Schedule.Manual();
      } else if (schedule != null) {
        sched = Schedule.parse(schedule);
      }
      return new Changes(
          query,
          sched,
          mode,
          status == null ? null : Status.parseSettable(status),
          diamondConsistency == null ? null : DiamondConsistency.parse(diamondConsistency),
          diamondSchedulePolicy == null ? null : DiamondSchedulePolicy.parse(diamondSchedulePolicy),
          cdcMode == null ? null : CdcMode.parse(cdcMode),
          appendOnly,
          poolerCompatibilityMode,
          tier == null ? null : Tier.parse(tier));
    }
  }

  /** Runs inside the caller's (or an own) transaction. */
  static void run(SqlSession s, QualifiedName name, Changes c) throws SQLException {
    StreamTable st = StreamTables.require(s, name, true);
    RefreshMode mode = c.refreshMode() != null ? c.refreshMode() : st.refreshMode();
    StreamTableOptions.checkCompatible(mode, c.cdcMode(), c.appendOnly() != null && c.appendOnly());
    // Only a new query or mode can change how the stream table is maintained.
    boolean redecide = c.query() != null || c.refreshMode() != null;
    AnalyzedQuery analyzed =
        redecide
            ? QueryAnalyzer.analyze(
                s, st.displayName(), c.query() != null ? c.query() : st.definingQuery())
            : null;
    ModePolicy.Decision decision =
        redecide
            ? ModePolicy.decide(
                mode, st.displayName(), () -> Maintenance.plan(s, analyzed), s.maintainsImmediate())
            : new ModePolicy.Decision(st.effectiveMode(), null);

    List<String> sets = new ArrayList<>();
    List<Object> params = new ArrayList<>();
    if (c.schedule() != null) {
      set(sets, params, "schedule = ?", c.schedule().text());
    }
    if (c.refreshMode() != null) {
      set(sets, params, "refresh_mode = ?", mode.name());
    }
    if (redecide) {
      set(sets, params, "effective_refresh_mode = ?", decision.effective().name());
      set(sets, params, "refresh_mode_reason = ?", decision.reason());
    }
    if (c.status() != null) {
      set(sets, params, "status = ?", c.status().name());
      if (c.status() == Status.ACTIVE) {
        sets.add("consecutive_errors = 0");
      }
    }
    if (c.diamondConsistency() != null) {
      set(sets, params, "diamond_consistency = ?", c.diamondConsistency().toString());
    }
    if (c.diamondSchedulePolicy() != null) {
      set(sets, params, "diamond_schedule_policy = ?", c.diamondSchedulePolicy().toString());
    }
    if (c.cdcMode() != null) {
      set(sets, params, "requested_cdc_mode = ?", c.cdcMode().toString());
    }
    if (c.appendOnly() != null) {
      set(sets, params, "is_append_only = ?::boolean", c.appendOnly());
    }
    if (c.poolerCompatibilityMode() != null) {
      set(sets, params, "pooler_compatibility_mode = ?::boolean", c.poolerCompatibilityMode());
    }
    if (c.tier() != null) {
      set(sets, params, "refresh_tier = ?", c.tier().toString());
    }
    if (!sets.isEmpty()) {
      params.add(st.id());
      s.update(
          "UPDATE pgtrickle.pgt_stream_tables SET "
              + String.join(", ", sets)
              + ", updated_at = now() WHERE pgt_id = ?::bigint",
          params.toArray());
    }
    boolean wasIncremental = st.incremental();
    boolean incremental = decision.effective().isIncremental();
    List<Dependency> oldSources = StreamTables.dependencies(s, st.id());
    if (c.query() != null) {
      st = redefine(s, st, analyzed, c.query());
    }
    if (redecide && (c.query() != null || wasIncremental != incremental)) {
      st = StreamTables.require(s, new QualifiedName(st.schema(), st.name()), true);
      if (incremental) {
        Maintenance.start(s, st, analyzed);
      } else {
        Maintenance.stop(s, st);
      }
      for (Dependency d : oldSources) {
        ChangeBuffers.dropIfUnused(s, d.relid());
      }
      if (st.populated() || c.query() != null) {
        Refresher.full(s, st, InitiatedBy.INITIAL, decision.reason());
      }
    }
  }

  private static void set(List<String> sets, List<Object> params, String clause, Object value) {
    sets.add(clause);
    params.add(value);
  }

  /**
   * Replaces the defining query. The storage table is kept when the new query has the same columns
   * and types (its OID, indexes, grants and views on it survive) and rebuilt otherwise; either way
   * it is repopulated.
   */
  private static StreamTable redefine(
      SqlSession s, StreamTable st, AnalyzedQuery analyzed, String query) throws SQLException {
    for (Dependency d : analyzed.sources()) {
      if ((d.type() == SourceType.STREAM_TABLE || d.relid() == st.relid())
          && StreamTables.reaches(s, d.relid(), st.relid())) {
        throw PgTrickleException.builder(
                SqlState.INVALID_RECURSION,
                "stream table "
                    + st.displayName()
                    + " cannot read "
                    + d.displayName()
                    + ": that would create a dependency cycle")
            .hint(d.displayName() + " already depends on " + st.displayName() + ".")
            .build();
      }
    }
    long relid = st.relid();
    if (!OutputColumn.ofTable(s, relid).equals(analyzed.columns())) {
      // Build the new table beside the old one, then swap names inside this transaction.
      String temp =
          Identifiers.quote(st.schema()) + "." + Identifiers.quote("__pgt_new_" + st.id());
      long newRelid = StorageTable.create(s, temp, st.displayName(), analyzed);
      s.rawUpdate("DROP TABLE " + st.sqlName());
      s.rawUpdate("ALTER TABLE " + temp + " RENAME TO " + Identifiers.quote(st.name()));
      relid = newRelid;
    }
    s.update(
        "UPDATE pgtrickle.pgt_stream_tables SET defining_query = ?, original_query = ?,"
            + " pgt_relid = ?::oid, updated_at = now() WHERE pgt_id = ?::bigint",
        analyzed.canonical(),
        query,
        relid,
        st.id());
    StreamTables.replaceDependencies(s, st.id(), analyzed.sources());
    return StreamTables.require(s, new QualifiedName(st.schema(), st.name()), true);
  }
}
