package io.pgtrickle.sql.api;

import java.util.Map;

/**
 * The type of an argument expression as far as overload matching needs it: the two types the API
 * takes, the untyped literal that adapts to either, and everything else by name for messages.
 *
 * @param name the type's name as PostgreSQL prints it
 * @param category how the type takes part in matching
 */
record SqlType(String name, Category category) {
  /** How a type takes part in matching. */
  enum Category {
    /**
     * An undecorated literal, NULL or parameter: PostgreSQL resolves it to the parameter's type.
     */
    UNKNOWN,
    TEXT,
    BOOL,
    /** A character type we do not emulate casts to (blank-padding, truncation). */
    UNSUPPORTED_STRING,
    /** Any other type: never matches a text or boolean parameter implicitly. */
    OTHER
  }

  static final SqlType UNKNOWN = new SqlType("unknown", Category.UNKNOWN);
  static final SqlType TEXT = new SqlType("text", Category.TEXT);
  static final SqlType BOOLEAN = new SqlType("boolean", Category.BOOL);
  static final SqlType INTEGER = new SqlType("integer", Category.OTHER);
  static final SqlType BIGINT = new SqlType("bigint", Category.OTHER);
  static final SqlType NUMERIC = new SqlType("numeric", Category.OTHER);

  /** PostgreSQL's spellings for the aliases people write. */
  private static final Map<String, String> CANONICAL =
      Map.ofEntries(
          Map.entry("varchar", "character varying"),
          Map.entry("bool", "boolean"),
          Map.entry("int", "integer"),
          Map.entry("int4", "integer"),
          Map.entry("int2", "smallint"),
          Map.entry("int8", "bigint"),
          Map.entry("float8", "double precision"),
          Map.entry("float4", "real"),
          Map.entry("decimal", "numeric"),
          Map.entry("char", "character"),
          Map.entry("bpchar", "character"));

  /**
   * The type named in a cast.
   *
   * @param schema the qualifying schema or null
   * @param name the folded type name, multi-word names joined by a blank
   * @param typmod whether a modifier such as {@code (10)} followed
   * @param array whether {@code []} followed
   */
  static SqlType named(String schema, String name, boolean typmod, boolean array) {
    String canonical = CANONICAL.getOrDefault(name, name);
    boolean builtin = schema == null || schema.equals("pg_catalog");
    if (array || !builtin) {
      String shown = (builtin ? canonical : schema + "." + name) + (array ? "[]" : "");
      return new SqlType(shown, Category.OTHER);
    }
    return switch (canonical) {
      case "text" -> TEXT;
      case "boolean" -> BOOLEAN;
      case "character varying" ->
          typmod
              ? new SqlType(canonical, Category.UNSUPPORTED_STRING)
              : new SqlType(canonical, Category.TEXT);
      case "character", "name" -> new SqlType(canonical, Category.UNSUPPORTED_STRING);
      default -> new SqlType(canonical, Category.OTHER);
    };
  }
}
