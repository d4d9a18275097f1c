package io.pgtrickle.engine.query;

import io.pgtrickle.engine.catalog.Dependency;
import java.util.List;

/**
 * A defining query that PostgreSQL accepted.
 *
 * @param text the user's query without trailing semicolons
 * @param canonical PostgreSQL's own rendering of it ({@code pg_get_viewdef} with an empty search
 *     path): every table schema-qualified, every column qualified by its alias, {@code *} expanded.
 *     This is what is stored, run and planned, so a refresh means the same whatever the search path
 *     of the session running it.
 * @param columns the output columns, in order
 * @param sources the relations it reads directly
 */
public record AnalyzedQuery(
    String text, String canonical, List<OutputColumn> columns, List<Dependency> sources) {

  /** Defensive copies. */
  public AnalyzedQuery {
    columns = List.copyOf(columns);
    sources = List.copyOf(sources);
  }
}
