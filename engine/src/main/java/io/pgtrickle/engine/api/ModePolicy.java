package io.pgtrickle.engine.api;

import io.pgtrickle.engine.model.RefreshMode;
import io.pgtrickle.engine.query.IncrementalPlan;
import io.pgtrickle.errors.PgTrickleException;
import io.pgtrickle.errors.SqlState;
import java.sql.SQLException;

/**
 * Decides the mode refreshes of a stream table run in, and records why. The one place that knows
 * which modes this version can carry out.
 */
final class ModePolicy {
  private ModePolicy() {}

  /** The effective mode and the reason for it. */
  record Decision(RefreshMode effective, String reason) {}

  /** Whether a query can be maintained incrementally: a plan, or the reason it cannot. */
  interface Support {
    /**
     * The plan; throws the error that explains why there is none: 0A000 for the query, 42501 when
     * the caller may not capture changes of a source.
     */
    IncrementalPlan plan() throws SQLException;
  }

  /** Whether an error means "not incrementally", as opposed to a real failure. */
  private static boolean rulesOut(PgTrickleException e) {
    return SqlState.FEATURE_NOT_SUPPORTED.code().equals(e.getSQLState())
        || SqlState.INSUFFICIENT_PRIVILEGE.code().equals(e.getSQLState());
  }

  /**
   * Resolves the requested mode. AUTO runs DIFFERENTIAL when the query can be maintained
   * incrementally and FULL otherwise, recording why; DIFFERENTIAL on a query that cannot be is an
   * error rather than a FULL refresh in disguise. IMMEDIATE is not available yet.
   */
  static Decision decide(RefreshMode requested, String stName, Support support)
      throws SQLException {
    return switch (requested) {
      case FULL -> new Decision(RefreshMode.FULL, "FULL requested");
      case AUTO -> {
        try {
          support.plan();
          yield new Decision(
              RefreshMode.DIFFERENTIAL, "AUTO: the query is maintained incrementally");
        } catch (PgTrickleException e) {
          if (!rulesOut(e)) {
            throw e;
          }
          yield new Decision(RefreshMode.FULL, "AUTO: " + e.getMessage());
        }
      }
      case DIFFERENTIAL -> {
        try {
          support.plan();
        } catch (PgTrickleException e) {
          if (!rulesOut(e)) {
            throw e;
          }
          throw PgTrickleException.builder(
                  e.getSQLState(),
                  "stream table "
                      + stName
                      + " cannot be maintained with refresh_mode DIFFERENTIAL: "
                      + e.getMessage())
              .hint(e.hint())
              .cause(e)
              .build();
        }
        yield new Decision(RefreshMode.DIFFERENTIAL, "DIFFERENTIAL requested");
      }
      case IMMEDIATE ->
          throw PgTrickleException.builder(
                  SqlState.FEATURE_NOT_SUPPORTED,
                  "refresh_mode IMMEDIATE is not supported yet (stream table " + stName + ")")
              .hint("Use refresh_mode => 'DIFFERENTIAL', 'FULL' or 'AUTO' for now.")
              .build();
    };
  }
}
