package io.pgtrickle.sql.api;

import io.pgtrickle.errors.PgTrickleException;
import io.pgtrickle.errors.SqlState;
import io.pgtrickle.sql.lex.Positions;
import io.pgtrickle.sql.lex.Token;

/** The errors the recogniser raises, worded once so that every path explains itself alike. */
final class ApiErrors {
  private ApiErrors() {}

  static int position(String sql, Token at) {
    return Positions.of(sql, at.start());
  }

  /** The call appears somewhere we cannot intercept it faithfully. */
  static PgTrickleException wrongShape(ApiFunction f, String why, String sql, Token at) {
    return PgTrickleException.builder(SqlState.FEATURE_NOT_SUPPORTED, f.qualifiedName() + " " + why)
        .hint(standaloneHint(f))
        .position(position(sql, at))
        .build();
  }

  /** An argument is an expression rather than a constant or a parameter. */
  static PgTrickleException notLiteral(ApiFunction f, String sql, Token at) {
    return PgTrickleException.builder(
            SqlState.FEATURE_NOT_SUPPORTED,
            "arguments of " + f.qualifiedName() + " must be literals or parameters")
        .hint(
            "Pass string literals ('...', E'...', $$...$$), NULL, true/false or parameters ($1 or"
                + " ?), optionally cast to text or boolean; compute other values in a separate"
                + " query. "
                + standaloneHint(f))
        .position(position(sql, at))
        .build();
  }

  /** No overload matches: PostgreSQL's "function ... does not exist". */
  static PgTrickleException doesNotExist(String signature, String hint, String sql, Token at) {
    return PgTrickleException.builder(
            SqlState.UNDEFINED_FUNCTION, "function " + signature + " does not exist")
        .hint(hint)
        .position(position(sql, at))
        .build();
  }

  static PgTrickleException syntax(String message, String hint, String sql, Token at) {
    return PgTrickleException.builder(SqlState.SYNTAX_ERROR, message)
        .hint(hint)
        .position(position(sql, at))
        .build();
  }

  /** PostgreSQL's boolean input error, naming the parameter it was meant for. */
  static PgTrickleException.Builder invalidBoolean(String input, ApiParameter p, ApiFunction f) {
    return PgTrickleException.builder(
            SqlState.INVALID_PARAMETER_VALUE,
            "invalid input syntax for type boolean: \""
                + input
                + "\" (parameter "
                + p.name()
                + " of "
                + f.qualifiedName()
                + ")")
        .hint("Use true or false (also accepted: t/f, yes/no, on/off, 1/0).");
  }

  static String standaloneHint(ApiFunction f) {
    return "Send SELECT "
        + f.qualifiedName()
        + "(...) as a statement of its own, with literal or parameter arguments.";
  }
}
