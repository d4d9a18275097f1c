package io.pgtrickle.engine.refresh;

import io.pgtrickle.engine.catalog.StreamTable;
import io.pgtrickle.engine.cdc.Frontiers;
import io.pgtrickle.engine.query.IncrementalPlan;
import io.pgtrickle.engine.query.OutputColumn;
import io.pgtrickle.engine.session.SqlSession;
import io.pgtrickle.sql.delta.DeltaGenerator;
import java.sql.SQLException;

/**
 * Refreshes a stream table in its effective mode, on the session's current transaction, and records
 * the refresh.
 */
public final class Refresher {
  private Refresher() {}

  /**
   * The first key of the refresh locks; the second is the stream table's id (its low 32 bits, as
   * Java's int cast and SQL's {@code ::bit(32)::int} take them).
   */
  public static final int LOCK_CLASS = 0x70677469; // "pgti"

  /** Brings {@code st} up to date. */
  public static RefreshResult refresh(SqlSession s, StreamTable st, InitiatedBy by)
      throws SQLException {
    lock(s, st);
    return refreshLocked(s, st, by);
  }

  /**
   * Brings {@code st} up to date; the caller took the refresh lock already ({@link
   * io.pgtrickle.engine.catalog.StreamTables#requireForRefresh} does, with the lookup).
   */
  public static RefreshResult refreshLocked(SqlSession s, StreamTable st, InitiatedBy by)
      throws SQLException {
    if (st.incremental() && st.populated()) {
      return DifferentialRefresh.run(s, st, by);
    }
    String reason = st.populated() ? "FULL refresh" : "first population";
    return full(s, st, by, reason);
  }

  /**
   * Recomputes {@code st} in full; for an incrementally maintained stream table the frontiers move
   * to the snapshot the recomputation read, so changes before it are never applied again.
   */
  public static RefreshResult full(SqlSession s, StreamTable st, InitiatedBy by, String reason)
      throws SQLException {
    lock(s, st);
    String totals = null;
    if (st.incremental()) {
      IncrementalPlan plan =
          IncrementalPlan.cachedOrPlan(s, st.definingQuery(), OutputColumn.ofTable(s, st.relid()));
      if (plan.shape().strategy() == DeltaGenerator.Strategy.ALGEBRAIC) {
        totals = DeltaGenerator.totalsRebuild(plan.block(), RunningTotals.name(st.id()));
      }
    }
    RefreshResult r = FullRefresh.run(s, st, totals);
    if (st.incremental()) {
      Frontiers.resetAll(s, st.id(), r.snapshot(), r.ownXid());
    }
    if (by != null) {
      RefreshHistory.completed(s, st.id(), r, by, reason);
    }
    return r;
  }

  /**
   * Applies pending changes to an IMMEDIATE stream table inside the writer's transaction, its own
   * uncommitted changes included, without a history row.
   */
  public static RefreshResult immediate(SqlSession s, StreamTable st) throws SQLException {
    return immediate(s, st, null);
  }

  /**
   * Like {@link #immediate(SqlSession, StreamTable)}, recording the refresh in the history when
   * {@code by} is not null (the scheduler catching up on writes that bypassed interception).
   */
  public static RefreshResult immediate(SqlSession s, StreamTable st, InitiatedBy by)
      throws SQLException {
    lock(s, st);
    return DifferentialRefresh.run(s, st, by);
  }

  /**
   * Serialises every refresh of one stream table, manual, scheduled or in a writer's transaction,
   * until the end of the caller's transaction; taken before the frontiers are read. Under READ
   * COMMITTED the next statement then sees the previous refresh's frontiers; under REPEATABLE READ
   * and SERIALIZABLE a refresh committed after the snapshot makes the frontier update fail with
   * 40001. An advisory lock, so a writer needs no privilege on the catalog to take it.
   */
  private static void lock(SqlSession s, StreamTable st) throws SQLException {
    s.query("SELECT pg_advisory_xact_lock(?::int, ?::int)", LOCK_CLASS, (int) st.id());
  }
}
