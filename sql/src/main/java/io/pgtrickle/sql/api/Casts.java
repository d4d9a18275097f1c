package io.pgtrickle.sql.api;

import io.pgtrickle.errors.PgTrickleException;
import io.pgtrickle.errors.SqlState;
import io.pgtrickle.sql.lex.Token;

/**
 * Applies an explicit cast to an argument the way PostgreSQL would for the casts that matter here:
 * to text and to boolean. A cast to any other type only changes the argument's type, which then
 * fails to match, as PostgreSQL's overload resolution would.
 */
final class Casts {
  private Casts() {}

  /**
   * {@code expr::target}.
   *
   * @param at the cast's token, where errors point
   */
  static ArgExpr apply(ArgExpr expr, SqlType target, ApiFunction f, String sql, Token at)
      throws PgTrickleException {
    if (target.category() == SqlType.Category.UNSUPPORTED_STRING) {
      throw PgTrickleException.builder(
              SqlState.FEATURE_NOT_SUPPORTED,
              "casts to "
                  + target.name()
                  + " are not supported in arguments of "
                  + f.qualifiedName())
          .hint("Cast to text, or leave the literal without a cast.")
          .position(ApiErrors.position(sql, at))
          .build();
    }
    if (expr.kind() == ArgExpr.Kind.OPAQUE && target.category() != SqlType.Category.OTHER) {
      // '05'::integer::text is '5' on the server; rather than emulate every type's I/O, refuse.
      throw PgTrickleException.builder(
              SqlState.FEATURE_NOT_SUPPORTED,
              "casts from "
                  + expr.type().name()
                  + " are not supported in arguments of "
                  + f.qualifiedName())
          .hint("Write the argument as a string literal.")
          .position(ApiErrors.position(sql, at))
          .build();
    }
    return switch (target.category()) {
      case TEXT -> toText(expr, target);
      case BOOL -> toBool(expr, sql, at);
      default -> new ArgExpr(ArgExpr.Kind.OPAQUE, null, target);
    };
  }

  private static ArgExpr toText(ArgExpr expr, SqlType target) {
    return switch (expr.kind()) {
      case BOOL -> new ArgExpr(ArgExpr.Kind.STRING, expr.value().toString(), target);
      case NUMBER -> new ArgExpr(ArgExpr.Kind.STRING, expr.value(), target);
      default -> expr.withType(target);
    };
  }

  private static ArgExpr toBool(ArgExpr expr, String sql, Token at) throws PgTrickleException {
    switch (expr.kind()) {
      case STRING:
        Boolean b = PgBoolean.parse((String) expr.value());
        if (b == null) {
          throw PgTrickleException.builder(
                  SqlState.INVALID_PARAMETER_VALUE,
                  "invalid input syntax for type boolean: \"" + expr.value() + "\"")
              .hint("Use true or false (also accepted: t/f, yes/no, on/off, 1/0).")
              .position(ApiErrors.position(sql, at))
              .build();
        }
        return new ArgExpr(ArgExpr.Kind.BOOL, b, SqlType.BOOLEAN);
      case NUMBER:
        // Only integer has a cast to boolean: zero is false, anything else true.
        if (!expr.type().equals(SqlType.INTEGER)) {
          throw PgTrickleException.builder(
                  SqlState.UNDEFINED_FUNCTION,
                  "cannot cast type " + expr.type().name() + " to boolean")
              .position(ApiErrors.position(sql, at))
              .build();
        }
        return new ArgExpr(ArgExpr.Kind.BOOL, !expr.value().equals("0"), SqlType.BOOLEAN);
      default:
        return expr.withType(SqlType.BOOLEAN);
    }
  }
}
