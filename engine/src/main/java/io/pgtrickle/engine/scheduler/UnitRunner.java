package io.pgtrickle.engine.scheduler;

import io.pgtrickle.engine.catalog.StreamTable;
import io.pgtrickle.engine.catalog.StreamTables;
import io.pgtrickle.engine.refresh.InitiatedBy;
import io.pgtrickle.engine.refresh.RefreshAction;
import io.pgtrickle.engine.refresh.RefreshHistory;
import io.pgtrickle.engine.refresh.RefreshResult;
import io.pgtrickle.engine.refresh.Refresher;
import io.pgtrickle.engine.session.Row;
import io.pgtrickle.engine.session.SqlSession;
import io.pgtrickle.errors.SqlState;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refreshes one {@link RefreshUnit} in one transaction.
 *
 * <ol>
 *   <li>Each member's catalog row is locked with {@code FOR UPDATE SKIP LOCKED}. A row locked
 *       elsewhere means another engine (or a manual refresh) is at it: the unit is left alone. A
 *       row whose version changed since the cycle read the catalog was refreshed, altered or failed
 *       in the meantime: that member is left out, and the next cycle decides again. So each due
 *       refresh runs once however many engines planned it.
 *   <li>A unit of several members (an atomic diamond) runs in REPEATABLE READ, so every member
 *       reads its sources in one snapshot.
 *   <li>The refreshes run after a savepoint. If one fails, the savepoint is rolled back, the
 *       failure is recorded (the stream table becomes ERROR, or SUSPENDED after too many failures
 *       in a row) and committed, still under the lock.
 *   <li>A NOTIFY for each refresh that applied something, and for each failure and suspension, is
 *       sent in the same transaction.
 * </ol>
 */
final class UnitRunner {
  private static final Logger LOG = LoggerFactory.getLogger(UnitRunner.class);

  /** What happened to a unit. */
  enum Outcome {
    /** Every member left was refreshed. */
    REFRESHED,
    /** Nothing was done: locked elsewhere, or every member changed since planning. */
    SKIPPED,
    /** A member failed; the failure was recorded. */
    FAILED
  }

  private final SchedulerConfig config;
  private final Clock clock;

  UnitRunner(SchedulerConfig config, Clock clock) {
    this.config = config;
    this.clock = clock;
  }

  /** Runs {@code unit} as planned from {@code view}; the session must be outside a transaction. */
  Outcome run(SqlSession s, RefreshUnit unit, CatalogView view) throws SQLException {
    s.begin();
    try {
      Outcome outcome = claimAndRefresh(s, unit, view);
      if (outcome == Outcome.SKIPPED) {
        s.rollback();
      } else {
        s.commit();
      }
      return outcome;
    } catch (SQLException | RuntimeException e) {
      s.rollbackAfter(e);
      if (SqlState.SERIALIZATION_FAILURE.code().equals(sqlState(e))) {
        // In REPEATABLE READ, a member's row changed after our snapshot: someone else refreshed it.
        return Outcome.SKIPPED;
      }
      throw e;
    }
  }

  private Outcome claimAndRefresh(SqlSession s, RefreshUnit unit, CatalogView view)
      throws SQLException {
    if (unit.members().size() > 1) {
      s.update("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
    }
    List<StreamTable> claimed = new ArrayList<>();
    for (long id : unit.members()) {
      Optional<StreamTables.Locked> locked = StreamTables.lockIfFree(s, id);
      if (locked.isEmpty()) {
        return Outcome.SKIPPED;
      }
      TableState planned = view.get(id);
      if (!locked.get().version().equals(planned.version()) || locked.get().table().relid() == 0) {
        LOG.debug("{} changed since it was planned; leaving it to the next cycle", planned.name());
        continue;
      }
      claimed.add(locked.get().table());
    }
    if (claimed.isEmpty()) {
      return Outcome.SKIPPED;
    }
    s.update("SAVEPOINT pgt_scheduled_refresh");
    List<Runnable> logs = new ArrayList<>();
    for (StreamTable st : claimed) {
      long started = clock.millis();
      RefreshResult r;
      try {
        r = Refresher.refresh(s, st, InitiatedBy.SCHEDULER);
      } catch (SQLException | RuntimeException e) {
        if (SqlState.SERIALIZATION_FAILURE.code().equals(sqlState(e))) {
          throw e; // a concurrent refresh won: not this stream table's failure
        }
        s.update("ROLLBACK TO SAVEPOINT pgt_scheduled_refresh");
        recordFailure(s, st, e, clock.millis() - started);
        return Outcome.FAILED;
      }
      long ms = clock.millis() - started;
      if (r.action() != RefreshAction.NO_DATA) {
        Notifications.refresh(
            s,
            st.displayName(),
            r.action().name(),
            r.rowsInserted() + r.rowsDeleted(),
            ms,
            "COMPLETED",
            null);
      }
      String reason = unit.reasons().get(st.id());
      logs.add(
          () ->
              LOG.debug(
                  "refreshed {} ({}, {} ms): {} +{} -{}",
                  st.displayName(),
                  reason,
                  ms,
                  r.action(),
                  r.rowsInserted(),
                  r.rowsDeleted()));
    }
    s.update("RELEASE SAVEPOINT pgt_scheduled_refresh");
    logs.forEach(Runnable::run);
    return Outcome.REFRESHED;
  }

  /**
   * Records a failed refresh in the refresh's transaction (its work rolled back to the savepoint),
   * lengthens the error streak, and sets the stream table ERROR, or SUSPENDED once the streak
   * reaches the configured maximum.
   */
  private void recordFailure(SqlSession s, StreamTable st, Throwable e, long ms)
      throws SQLException {
    String error = describe(e);
    RefreshAction attempted =
        st.incremental() && st.populated() ? RefreshAction.DIFFERENTIAL : RefreshAction.FULL;
    RefreshHistory.failed(s, st.id(), attempted, InitiatedBy.SCHEDULER, error);
    Row r =
        s.queryOne(
            "UPDATE pgtrickle.pgt_stream_tables SET status = CASE"
                + " WHEN consecutive_errors >= ?::int THEN 'SUSPENDED' ELSE 'ERROR' END"
                + " WHERE pgt_id = ?::bigint RETURNING status, consecutive_errors",
            config.maxConsecutiveErrors(),
            st.id());
    Notifications.refresh(s, st.displayName(), attempted.name(), 0, ms, "FAILED", error);
    int streak = (int) r.longValue(1);
    if (r.text(0).equals("SUSPENDED")) {
      Notifications.suspended(s, st.displayName(), streak, error);
      LOG.warn(
          "stream table {} suspended after {} consecutive failed refreshes; last error: {}",
          st.displayName(),
          streak,
          error);
    } else {
      LOG.warn(
          "scheduled refresh of {} failed ({} of {} before suspension), retry in {}: {}",
          st.displayName(),
          streak,
          config.maxConsecutiveErrors(),
          config.backoffAfter(streak),
          error);
    }
  }

  /** {@code "message (SQLSTATE xxxxx)"}, as stored and notified. */
  private static String describe(Throwable e) {
    String state = sqlState(e);
    String message = String.valueOf(e.getMessage());
    return state == null ? message : message + " (SQLSTATE " + state + ")";
  }

  private static String sqlState(Throwable e) {
    return e instanceof SQLException se ? se.getSQLState() : null;
  }
}
