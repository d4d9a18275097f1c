package io.pgtrickle.sql.api;

import static io.pgtrickle.sql.api.ApiParameter.optional;
import static io.pgtrickle.sql.api.ApiParameter.required;
import static io.pgtrickle.sql.api.ParamType.BOOL;
import static io.pgtrickle.sql.api.ParamType.TEXT;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The pg_trickle functions that change stream tables, with their signatures as the extension
 * declares them.
 */
public enum ApiFunction {
  /** Creates a stream table and, unless {@code initialize => false}, fills it. */
  CREATE_STREAM_TABLE("create_stream_table", createParameters()),
  /** As {@link #CREATE_STREAM_TABLE}, doing nothing if the stream table exists. */
  CREATE_STREAM_TABLE_IF_NOT_EXISTS("create_stream_table_if_not_exists", createParameters()),
  /** As {@link #CREATE_STREAM_TABLE}, replacing the definition if the stream table exists. */
  CREATE_OR_REPLACE_STREAM_TABLE("create_or_replace_stream_table", createParameters()),
  /** Changes the given properties of a stream table; NULL means "leave unchanged". */
  ALTER_STREAM_TABLE("alter_stream_table", alterParameters()),
  /** Drops a stream table and its change-capture machinery. */
  DROP_STREAM_TABLE("drop_stream_table", nameOnly()),
  /** Refreshes a stream table now. */
  REFRESH_STREAM_TABLE("refresh_stream_table", nameOnly()),
  /** Resumes a suspended stream table. */
  RESUME_STREAM_TABLE("resume_stream_table", nameOnly());

  /** The schema the functions live in. */
  public static final String SCHEMA = "pgtrickle";

  private static final Map<String, ApiFunction> BY_SQL_NAME =
      Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(f -> f.sqlName, f -> f));

  private final String sqlName;
  private final List<ApiParameter> parameters;
  private final Map<String, ApiParameter> byName;

  ApiFunction(String sqlName, List<ApiParameter> parameters) {
    this.sqlName = sqlName;
    this.parameters = List.copyOf(parameters);
    this.byName =
        parameters.stream()
            .collect(Collectors.toUnmodifiableMap(ApiParameter::name, Function.identity()));
  }

  /** The function by its unqualified, lower-case SQL name. */
  public static Optional<ApiFunction> bySqlName(String lowerCaseName) {
    return Optional.ofNullable(BY_SQL_NAME.get(lowerCaseName));
  }

  /** The unqualified SQL name, such as {@code create_stream_table}. */
  public String sqlName() {
    return sqlName;
  }

  /** The schema-qualified name used in messages, such as {@code pgtrickle.create_stream_table}. */
  public String qualifiedName() {
    return SCHEMA + "." + sqlName;
  }

  /** The parameters in declaration order. */
  public List<ApiParameter> parameters() {
    return parameters;
  }

  /** The parameter with this canonical name, if there is one. */
  public Optional<ApiParameter> parameter(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /** The parameter names in declaration order, comma-separated, for hints. */
  public String parameterNames() {
    return parameters.stream().map(ApiParameter::name).collect(Collectors.joining(", "));
  }

  private static List<ApiParameter> createParameters() {
    return List.of(
        required("name", TEXT),
        required("query", TEXT),
        optional("schedule", TEXT, "calculated"),
        optional("refresh_mode", TEXT, "AUTO"),
        optional("initialize", BOOL, true),
        optional("diamond_consistency", TEXT, null),
        optional("diamond_schedule_policy", TEXT, null),
        optional("cdc_mode", TEXT, null),
        optional("append_only", BOOL, false),
        optional("pooler_compatibility_mode", BOOL, false));
  }

  private static List<ApiParameter> alterParameters() {
    return List.of(
        required("name", TEXT),
        optional("query", TEXT, null),
        optional("schedule", TEXT, null),
        optional("refresh_mode", TEXT, null),
        optional("status", TEXT, null),
        optional("diamond_consistency", TEXT, null),
        optional("diamond_schedule_policy", TEXT, null),
        optional("cdc_mode", TEXT, null),
        optional("append_only", BOOL, null),
        optional("pooler_compatibility_mode", BOOL, null),
        optional("tier", TEXT, null));
  }

  private static List<ApiParameter> nameOnly() {
    return List.of(required("name", TEXT));
  }
}
