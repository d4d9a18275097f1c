package io.pgtrickle.sql.plan;

import io.pgtrickle.sql.lex.Identifiers;
import java.util.Objects;

/**
 * A table in FROM. Names are decoded: {@code "Order Items"} is {@code Order Items}, {@code Orders}
 * unquoted is {@code orders}.
 *
 * @param schema the schema, or null when pg_get_viewdef left the name unqualified (the table is
 *     visible in the search_path, which the engine resolves)
 * @param table the table name
 * @param alias the name column references use: the alias if one was given, else the table name
 */
public record TableRef(String schema, String table, String alias) implements FromItem {
  public TableRef {
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(alias, "alias");
  }

  /** The quoted, possibly schema-qualified name for use in SQL: {@code "public"."orders"}. */
  public String sqlName() {
    String name = Identifiers.quote(table);
    return schema == null ? name : Identifiers.quote(schema) + "." + name;
  }

  /** The quoted alias for use in SQL: {@code "o"}. */
  public String aliasSql() {
    return Identifiers.quote(alias);
  }

  @Override
  public <R> R accept(FromVisitor<R> visitor) {
    return visitor.visitTable(this);
  }
}
