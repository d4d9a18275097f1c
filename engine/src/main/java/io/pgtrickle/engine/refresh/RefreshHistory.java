package io.pgtrickle.engine.refresh;

import io.pgtrickle.engine.session.SqlSession;
import java.sql.SQLException;

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
    s.update(
        "WITH st AS ("
            + " UPDATE pgtrickle.pgt_stream_tables SET"
            + " data_timestamp = ?::timestamptz, last_refresh_at = clock_timestamp(),"
            + " is_populated = true, consecutive_errors = 0,"
            + " status = CASE WHEN status IN ('INITIALIZING', 'ERROR') THEN 'ACTIVE'"
            + "   ELSE status END,"
            + " last_full_ms = CASE WHEN ? = 'FULL'"
            + "   THEN extract(epoch FROM clock_timestamp() - ?::timestamptz) * 1000"
            + "   ELSE last_full_ms END,"
            + " updated_at = now()"
            + " WHERE pgt_id = ?::bigint RETURNING pgt_id)"
            + " INSERT INTO pgtrickle.pgt_refresh_history (pgt_id, data_timestamp, start_time,"
            + " end_time, action, rows_inserted, rows_deleted, status, initiated_by, reason)"
            + " SELECT pgt_id, ?::timestamptz, ?::timestamptz, clock_timestamp(), ?,"
            + " ?::bigint, ?::bigint, 'COMPLETED', ?, ? FROM st",
        r.startTime(),
        r.action().name(),
        r.startTime(),
        pgtId,
        r.startTime(),
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
