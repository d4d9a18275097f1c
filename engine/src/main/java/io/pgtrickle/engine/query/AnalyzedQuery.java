package io.pgtrickle.engine.query;

import io.pgtrickle.engine.catalog.Dependency;
import java.util.List;

/**
 * A defining query that PostgreSQL accepted.
 *
 * @param text the query as it will be stored and run: the user's text without trailing semicolons
 * @param columns the output columns, in order
 * @param sources the relations it reads directly
 */
public record AnalyzedQuery(String text, List<OutputColumn> columns, List<Dependency> sources) {

  /** Defensive copies. */
  public AnalyzedQuery {
    columns = List.copyOf(columns);
    sources = List.copyOf(sources);
  }
}
