package io.pgtrickle.sql.api;

/** The SQL type of an API function parameter. */
public enum ParamType {
  /** {@code text}: takes string literals, NULL and parameters. */
  TEXT("text"),
  /** {@code boolean}: takes true/false, NULL, parameters and strings PostgreSQL reads as bool. */
  BOOL("boolean");

  private final String sqlName;

  ParamType(String sqlName) {
    this.sqlName = sqlName;
  }

  /** The type's name as PostgreSQL prints it. */
  public String sqlName() {
    return sqlName;
  }
}
