package io.pgtrickle.sql.plan;

import io.pgtrickle.errors.PgTrickleException;

/**
 * Carries a {@link PgTrickleException} out of JSqlParser's visitor methods, which cannot throw
 * checked exceptions; {@link QueryPlanner} unwraps it at the API boundary.
 */
final class PlanningError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final PgTrickleException error;

  PlanningError(PgTrickleException error) {
    super(error.getMessage(), error, false, false);
    this.error = error;
  }

  /** The error to report. */
  PgTrickleException error() {
    return error;
  }
}
