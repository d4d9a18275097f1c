package io.pgtrickle.sql.delta;

import java.util.List;

/**
 * What the generator needs to know about one table of the query: where its pending changes are and
 * whether there are any.
 *
 * @param buffer the change buffer's qualified, quoted name
 * @param columns the table's columns, in order; buffers repeat them with the same names
 * @param pendingPredicate SQL true for the buffer rows (alias {@code __pgt_b}) not yet consumed
 * @param changed whether the buffer holds pending changes; unchanged tables contribute no terms
 */
public record SourceLeaf(
    String buffer, List<Column> columns, String pendingPredicate, boolean changed) {

  /** Defensive copy. */
  public SourceLeaf {
    columns = List.copyOf(columns);
  }

  /** A table column: its name (unquoted) and type as {@code format_type} prints it. */
  public record Column(String name, String type) {}
}
