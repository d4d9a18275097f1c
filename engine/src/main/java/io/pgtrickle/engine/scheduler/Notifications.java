package io.pgtrickle.engine.scheduler;

import io.pgtrickle.engine.session.SqlSession;
import java.sql.SQLException;

/**
 * NOTIFY messages about scheduled refreshes, sent in the refresh's own transaction so they arrive
 * exactly when (and only if) its outcome is committed. Payloads are JSON built by PostgreSQL, and
 * error texts are cut to stay well under NOTIFY's 8000-byte limit.
 */
final class Notifications {
  /** Completed and failed scheduled refreshes. */
  static final String REFRESH_CHANNEL = "pgtrickle_refresh";

  /** Stream tables suspended after repeated failures. */
  static final String ALERT_CHANNEL = "pgtrickle_alert";

  private static final int MAX_ERROR_CHARS = 2000;

  private Notifications() {}

  /**
   * {@code {"name", "action", "rows", "ms", "status", "error"}} on {@value #REFRESH_CHANNEL}.
   *
   * @param status {@code COMPLETED} or {@code FAILED}
   * @param error null for a completed refresh
   */
  static void refresh(
      SqlSession s, String name, String action, long rows, long ms, String status, String error)
      throws SQLException {
    s.query(
        "SELECT pg_notify(?, json_build_object('name', ?::text, 'action', ?::text,"
            + " 'rows', ?::bigint, 'ms', ?::bigint, 'status', ?::text, 'error', left(?::text, ?::int))::text)",
        REFRESH_CHANNEL,
        name,
        action,
        rows,
        ms,
        status,
        error,
        MAX_ERROR_CHARS);
  }

  /**
   * {@code {"name", "event": "SUSPENDED", "consecutive_errors", "error"}} on {@value
   * #ALERT_CHANNEL}.
   */
  static void suspended(SqlSession s, String name, int consecutiveErrors, String error)
      throws SQLException {
    s.query(
        "SELECT pg_notify(?, json_build_object('name', ?::text, 'event', 'SUSPENDED',"
            + " 'consecutive_errors', ?::int, 'error', left(?::text, ?::int))::text)",
        ALERT_CHANNEL,
        name,
        consecutiveErrors,
        error,
        MAX_ERROR_CHARS);
  }
}
