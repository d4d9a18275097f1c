package io.pgtrickle.sql.plan;

import java.util.Map;

/** The fixed function catalog the planner tests use; anything unlisted is IMMUTABLE. */
final class TestCatalog implements FunctionCatalog {
  static final TestCatalog INSTANCE = new TestCatalog();

  private static final Map<String, FunctionKind> KINDS =
      Map.ofEntries(
          Map.entry("count", FunctionKind.AGGREGATE),
          Map.entry("sum", FunctionKind.AGGREGATE),
          Map.entry("avg", FunctionKind.AGGREGATE),
          Map.entry("min", FunctionKind.AGGREGATE),
          Map.entry("max", FunctionKind.AGGREGATE),
          Map.entry("string_agg", FunctionKind.AGGREGATE),
          Map.entry("array_agg", FunctionKind.AGGREGATE),
          Map.entry("bool_and", FunctionKind.AGGREGATE),
          Map.entry("json_agg", FunctionKind.AGGREGATE),
          Map.entry("stddev", FunctionKind.AGGREGATE),
          Map.entry("percentile_cont", FunctionKind.AGGREGATE),
          Map.entry("rank", FunctionKind.WINDOW),
          Map.entry("row_number", FunctionKind.WINDOW),
          Map.entry("random", FunctionKind.VOLATILE),
          Map.entry("nextval", FunctionKind.VOLATILE),
          Map.entry("clock_timestamp", FunctionKind.VOLATILE),
          Map.entry("now", FunctionKind.STABLE),
          Map.entry("mystery", FunctionKind.UNKNOWN));

  private TestCatalog() {}

  @Override
  public FunctionKind kind(String lowerCaseName) {
    return KINDS.getOrDefault(lowerCaseName, FunctionKind.IMMUTABLE);
  }
}
