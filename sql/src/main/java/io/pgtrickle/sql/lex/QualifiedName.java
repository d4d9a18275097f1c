package io.pgtrickle.sql.lex;

import java.util.Objects;

/**
 * A possibly schema-qualified object name, with each part already case-folded or unquoted.
 *
 * @param schema the schema, or null when the name is unqualified
 * @param name the object name
 */
public record QualifiedName(String schema, String name) {
  public QualifiedName {
    Objects.requireNonNull(name, "name");
    if (name.isEmpty() || (schema != null && schema.isEmpty())) {
      throw new IllegalArgumentException("empty name part");
    }
  }

  /** Whether a schema was given. */
  public boolean isQualified() {
    return schema != null;
  }

  /** The name as SQL text with every part quoted, such as {@code "public"."orders"}. */
  public String quoted() {
    String n = Identifiers.quote(name);
    return schema == null ? n : Identifiers.quote(schema) + "." + n;
  }

  @Override
  public String toString() {
    return quoted();
  }
}
