package io.pgtrickle.sql.plan;

/**
 * Classifies the functions a query calls; the engine backs it with {@code pg_proc}, tests with a
 * fixed map.
 */
@FunctionalInterface
public interface FunctionCatalog {
  /**
   * The kind of the function named {@code lowerCaseName}, one of the names {@link
   * QueryPlanner#functionNames(String)} returned: unquoted names are lower-case, a schema-qualified
   * call is {@code schema.name}.
   */
  FunctionKind kind(String lowerCaseName);
}
