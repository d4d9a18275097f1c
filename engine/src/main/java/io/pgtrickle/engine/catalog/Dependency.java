package io.pgtrickle.engine.catalog;

import java.util.List;

/**
 * A relation a stream table's query reads, resolved by PostgreSQL itself when the query was
 * analysed.
 *
 * @param columnsUsed the columns of the source the query references
 */
public record Dependency(
    long relid, String schema, String name, SourceType type, List<String> columnsUsed) {

  /** Defensive copy. */
  public Dependency {
    columnsUsed = List.copyOf(columnsUsed);
  }

  /** The name to show in messages: {@code schema.name}. */
  public String displayName() {
    return schema + "." + name;
  }
}
