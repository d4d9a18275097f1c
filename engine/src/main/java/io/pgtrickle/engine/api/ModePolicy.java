package io.pgtrickle.engine.api;

import io.pgtrickle.engine.model.RefreshMode;
import io.pgtrickle.errors.PgTrickleException;
import io.pgtrickle.errors.SqlState;

/**
 * Decides the mode refreshes of a stream table run in, and records why. The one place that knows
 * which modes this version can carry out.
 */
final class ModePolicy {
  private ModePolicy() {}

  /** The effective mode and the reason for it. */
  record Decision(RefreshMode effective, String reason) {}

  /**
   * Resolves the requested mode. DIFFERENTIAL and IMMEDIATE are not available in this version, so
   * asking for them is an error rather than a FULL refresh in disguise; AUTO falls back to FULL and
   * says so.
   */
  static Decision decide(RefreshMode requested, String stName) throws PgTrickleException {
    return switch (requested) {
      case FULL -> new Decision(RefreshMode.FULL, "FULL requested");
      case AUTO ->
          new Decision(
              RefreshMode.FULL,
              "AUTO: incremental maintenance is not available in this version, using FULL");
      case DIFFERENTIAL, IMMEDIATE ->
          throw PgTrickleException.builder(
                  SqlState.FEATURE_NOT_SUPPORTED,
                  "refresh_mode "
                      + requested
                      + " is not supported yet (stream table "
                      + stName
                      + ")")
              .hint("Use refresh_mode => 'FULL' or 'AUTO' for now.")
              .build();
    };
  }
}
