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

  private static void requireIncremental(RefreshMode requested, String stName, Support support)
      throws SQLException {
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
                  + " cannot be maintained with refresh_mode "
                  + requested
                  + ": "
                  + e.getMessage())
          .hint(e.hint())
          .cause(e)
          .build();
    }
  }

  /** Whether an error means "not incrementally", as opposed to a real failure. */
  private static boolean rulesOut(PgTrickleException e) {
    return SqlState.FEATURE_NOT_SUPPORTED.code().equals(e.getSQLState())
        || SqlState.INSUFFICIENT_PRIVILEGE.code().equals(e.getSQLState());
  }

  /**
   * Resolves the requested mode. AUTO runs DIFFERENTIAL when the query can be maintained
   * incrementally and FULL otherwise, recording why; DIFFERENTIAL on a query that cannot be is an
   * error rather than a FULL refresh in disguise, and so is IMMEDIATE; IMMEDIATE also needs a
   * caller whose writes are intercepted.
   *
   * @param immediateAvailable whether the caller's session maintains IMMEDIATE stream tables
   */
  static Decision decide(
      RefreshMode requested, String stName, Support support, boolean immediateAvailable)
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
        requireIncremental(requested, stName, support);
        yield new Decision(RefreshMode.DIFFERENTIAL, "DIFFERENTIAL requested");
      }
      case IMMEDIATE -> {
        if (!immediateAvailable) {
          throw PgTrickleException.builder(
                  SqlState.FEATURE_NOT_SUPPORTED,
                  "refresh_mode IMMEDIATE needs a connection through the pg_trickle JDBC driver"
                      + " (stream table "
                      + stName
                      + ")")
              .hint(
                  "IMMEDIATE maintenance through the proxy is not built yet; create and write"
                      + " IMMEDIATE stream tables through jdbc:pgtrickle:postgresql://.")
              .build();
        }
        requireIncremental(requested, stName, support);
        yield new Decision(RefreshMode.IMMEDIATE, "IMMEDIATE requested");
      }
    };
  }
}
