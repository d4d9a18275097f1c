package io.pgtrickle.engine.refresh;

import io.pgtrickle.engine.session.SqlSession;
import io.pgtrickle.engine.session.SqlSession.Update;
import java.sql.SQLException;
import java.util.List;

/**
 * Records refreshes: the history row and the stream table's own bookkeeping (data timestamp, last
 * refresh, error streak) change together, in one statement.
 */
public final class RefreshHistory {
  private RefreshHistory() {}

  /** Records a completed refresh and marks the stream table populated and current. */
  public static void completed(
      SqlSession s, long pgtId, RefreshResult r, InitiatedBy by, String reason)
      throws SQLException {
    s.updateAll(List.of(completed(pgtId, r, by, reason)));
  }

  /**
   * The statement that records a completed refresh, for a caller that sends it with others: a call
   * of {@code pgtrickle._refresh_completed}, whose statements its backend plans once.
   */
  public static Update completed(long pgtId, RefreshResult r, InitiatedBy by, String reason) {
    return Update.of(
        "SELECT pgtrickle._refresh_completed(?::bigint, ?::timestamptz, ?, ?::bigint, ?::bigint,"
            + " ?, ?)",
        pgtId,
        r.startTime(),
        r.action().name(),
        r.rowsInserted(),
        r.rowsDeleted(),
        by.name(),
        reason);
  }

  /**
   * Records a failed refresh in a transaction of its own (the refresh's was rolled back) and
   * lengthens the stream table's error streak.
   */
  public static void failed(
      SqlSession s, long pgtId, RefreshAction attempted, InitiatedBy by, String error)
      throws SQLException {
    s.update(
        "WITH st AS ("
            + " UPDATE pgtrickle.pgt_stream_tables SET"
            + " consecutive_errors = consecutive_errors + 1, last_error_message = ?,"
            + " last_error_at = clock_timestamp(), updated_at = now()"
            + " WHERE pgt_id = ?::bigint RETURNING pgt_id)"
            + " INSERT INTO pgtrickle.pgt_refresh_history (pgt_id, start_time, end_time, action,"
            + " status, initiated_by, error_message)"
            + " SELECT pgt_id, statement_timestamp(), clock_timestamp(), ?, 'FAILED', ?, ?"
            + " FROM st",
        error,
        pgtId,
        attempted.name(),
        by.name(),
        error);
  }
}
