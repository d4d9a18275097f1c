package io.pgtrickle.sql.api;

/**
 * The value of one argument after its casts: what kind of constant it is, its Java value and its
 * SQL type.
 *
 * @param kind the kind of constant
 * @param value a String (STRING and NUMBER, the latter normalized), Boolean (BOOL), Integer (PARAM:
 *     the parameter number) or null (NULL, OPAQUE)
 * @param type the type after casts
 */
record ArgExpr(Kind kind, Object value, SqlType type) {
  /** The kinds of argument we accept. */
  enum Kind {
    STRING,
    BOOL,
    NUMBER,
    NULL,
    PARAM,
    /** A value cast to a type we do not model; it can only ever fail to match. */
    OPAQUE
  }

  ArgExpr withType(SqlType t) {
    return new ArgExpr(kind, value, t);
  }
}
