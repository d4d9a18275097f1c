package io.pgtrickle.sql.plan;

import io.pgtrickle.errors.PgTrickleException;
import io.pgtrickle.errors.SqlState;

/**
 * The planner's errors. "Not supported" (0A000) names the construct, quotes it and points at it in
 * the defining query, so the user can find what to change or choose another refresh mode.
 */
final class PlanErrors {
  /** What to do instead; every 0A000 from the planner carries it. */
  static final String HINT = "use refresh_mode => 'FULL' or 'AUTO'";

  private PlanErrors() {}

  /** "DIFFERENTIAL maintenance does not support {construct} ({text at where})". */
  static PlanningError unsupported(CanonicalText text, Span where, String construct) {
    return unsupported(text, where, null, construct, null);
  }

  /** As {@link #unsupported(CanonicalText, Span, String)}, followed by a reason. */
  static PlanningError unsupported(CanonicalText text, Span where, String construct, String why) {
    return unsupported(text, where, null, construct, why);
  }

  /**
   * As {@link #unsupported(CanonicalText, Span, String)}, with {@code shown} as the quoted text
   * when JSqlParser kept no position for the construct, and an optional reason after a colon.
   */
  static PlanningError unsupported(
      CanonicalText text, Span where, String shown, String construct, String why) {
    String quoted = where != null ? text.display(where) : shown;
    StringBuilder msg = new StringBuilder("DIFFERENTIAL maintenance does not support ");
    msg.append(construct);
    if (quoted != null) {
      msg.append(" (").append(quoted).append(')');
    }
    if (why != null) {
      msg.append(": ").append(why);
    }
    PgTrickleException.Builder b =
        PgTrickleException.builder(SqlState.FEATURE_NOT_SUPPORTED, msg.toString()).hint(HINT);
    if (where != null) {
      b.internal(text.offset(where) + 1, text.original());
    }
    return new PlanningError(b.build());
  }

  /**
   * As {@link #unsupported(CanonicalText, Span, String)} for a JSqlParser object: quotes its text
   * from the defining query, or JSqlParser's rendering of it when it kept no position.
   */
  static PlanningError unsupported(
      CanonicalText text, Object jsqlObject, String construct, String why) {
    Span span = text.span(jsqlObject);
    return unsupported(
        text, span, span == null ? String.valueOf(jsqlObject) : null, construct, why);
  }

  /** A bug or a JSqlParser behaviour we did not expect: XX000. */
  static PlanningError internal(String message) {
    return new PlanningError(
        PgTrickleException.of(SqlState.INTERNAL_ERROR, "query planner: " + message));
  }
}
