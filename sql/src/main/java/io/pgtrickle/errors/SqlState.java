package io.pgtrickle.errors;

/**
 * The SQLSTATE codes pg_trickle reports, with PostgreSQL's condition names. User errors (class 22,
 * 42, 2B, 55) are kept apart from "not supported" (0A000) and internal bugs (XX000).
 */
public enum SqlState {
  /** The statement uses a construct we do not (yet) support. */
  FEATURE_NOT_SUPPORTED("0A000"),
  /** A parameter value is out of its domain: a bad refresh mode, schedule or tier. */
  INVALID_PARAMETER_VALUE("22023"),
  /** A NULL was given where a value is required. */
  NULL_VALUE_NOT_ALLOWED("22004"),
  /** The object cannot be dropped because others depend on it. */
  DEPENDENT_OBJECTS_STILL_EXIST("2BP01"),
  /** A transaction could not be serialized; the application should retry. */
  SERIALIZATION_FAILURE("40001"),
  /** SQL text that does not parse. */
  SYNTAX_ERROR("42601"),
  /** The caller lacks a privilege. */
  INSUFFICIENT_PRIVILEGE("42501"),
  /** A name that is not a valid (optionally schema-qualified) identifier. */
  INVALID_NAME("42602"),
  /** The object is of the wrong kind for the operation. */
  WRONG_OBJECT_TYPE("42809"),
  /** No function with that name or those argument names. */
  UNDEFINED_FUNCTION("42883"),
  /** No such table or stream table. */
  UNDEFINED_TABLE("42P01"),
  /** A relation of that name already exists. */
  DUPLICATE_TABLE("42P07"),
  /** A dependency cycle between stream tables. */
  INVALID_RECURSION("42P19"),
  /** The object is not in the state the operation needs, such as a SUSPENDED stream table. */
  OBJECT_NOT_IN_PREREQUISITE_STATE("55000"),
  /** No schema to create an object in: {@code search_path} names none that exists. */
  INVALID_SCHEMA_NAME("3F000"),
  /** The connection's peer broke the protocol. */
  PROTOCOL_VIOLATION("08P01"),
  /** The connection to the server could not be made. */
  CONNECTION_NOT_ESTABLISHED("08001"),
  /** The connection to the server was lost. */
  CONNECTION_FAILURE("08006"),
  /** The transaction block was aborted by an earlier error; only its end is accepted. */
  IN_FAILED_SQL_TRANSACTION("25P02"),
  /** The server (here: the proxy) is shutting down. */
  ADMIN_SHUTDOWN("57P01"),
  /** A bug in pg_trickle. */
  INTERNAL_ERROR("XX000");

  private final String code;

  SqlState(String code) {
    this.code = code;
  }

  /** The five-character SQLSTATE. */
  public String code() {
    return code;
  }
}
