package io.pgtrickle.engine.query;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.pgtrickle.engine.catalog.Dependency;
import io.pgtrickle.engine.catalog.SourceType;
import io.pgtrickle.engine.refresh.RunningTotals;
import io.pgtrickle.engine.session.Row;
import io.pgtrickle.engine.session.SqlSession;
import io.pgtrickle.errors.PgTrickleException;
import io.pgtrickle.errors.SqlState;
import io.pgtrickle.sql.delta.DeltaGenerator;
import io.pgtrickle.sql.plan.QueryBlock;
import io.pgtrickle.sql.plan.QueryPlanner;
import io.pgtrickle.sql.plan.TableRef;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A defining query planned for incremental maintenance: our operator model of PostgreSQL's
 * canonical text, and the strategy that maintains it. Plans are cached by canonical text, so a
 * refresh does not parse again.
 */
public record IncrementalPlan(QueryBlock block, DeltaGenerator.Shape shape) {

  private static final Cache<String, IncrementalPlan> CACHE =
      Caffeine.newBuilder().maximumSize(2_000).build();

  /**
   * Plans {@code canonical} or explains why it cannot be maintained incrementally.
   *
   * @param columns the stream table's output columns
   * @throws PgTrickleException 0A000 naming the construct that prevents it
   */
  public static IncrementalPlan of(
      SqlSession s, String canonical, List<OutputColumn> columns, List<Dependency> sources)
      throws SQLException {
    for (Dependency d : sources) {
      if (d.type() != SourceType.TABLE && d.type() != SourceType.STREAM_TABLE) {
        throw PgTrickleException.builder(
                SqlState.FEATURE_NOT_SUPPORTED,
                "DIFFERENTIAL maintenance does not support reading "
                    + d.type().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
                    + " "
                    + d.displayName())
            .hint("Read its underlying tables directly, or use refresh_mode => 'FULL'.")
            .build();
      }
    }
    IncrementalPlan cached = CACHE.getIfPresent(canonical);
    if (cached != null) {
      return cached;
    }
    FunctionKinds kinds = FunctionKinds.load(s, QueryPlanner.functionNames(canonical));
    QueryBlock block = QueryPlanner.plan(canonical, kinds);
    List<String> names = columns.stream().map(OutputColumn::name).toList();
    Map<String, List<String>> keys = primaryKeys(s, block);
    DeltaGenerator.Shape shape = DeltaGenerator.check(block, names, keys);
    if (shape.strategy() == DeltaGenerator.Strategy.ALGEBRAIC && !RunningTotals.exact(s, block)) {
      shape = DeltaGenerator.check(block, names, keys, false);
    }
    IncrementalPlan plan = new IncrementalPlan(block, shape);
    CACHE.put(canonical, plan);
    return plan;
  }

  /** Each alias's primary-key columns, in key order; empty for a table without one. */
  private static Map<String, List<String>> primaryKeys(SqlSession s, QueryBlock block)
      throws SQLException {
    Map<String, List<String>> keys = new HashMap<>();
    for (TableRef t : block.tables()) {
      List<String> cols = new ArrayList<>();
      for (Row r :
          s.query(
              "SELECT a.attname FROM pg_catalog.pg_index i"
                  + " JOIN pg_catalog.pg_attribute a"
                  + "   ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)"
                  + " WHERE i.indrelid = ?::regclass AND i.indisprimary"
                  + " ORDER BY array_position(i.indkey::int2[], a.attnum)",
              t.sqlName())) {
        cols.add(r.text(0));
      }
      keys.put(t.alias(), cols);
    }
    return keys;
  }

  /** The plan of {@code canonical} if it is cached, else null: no I/O. */
  public static IncrementalPlan cached(String canonical) {
    return CACHE.getIfPresent(canonical);
  }

  /** The plan of a stream table already known to be maintainable. */
  public static IncrementalPlan cachedOrPlan(
      SqlSession s, String canonical, List<OutputColumn> columns) throws SQLException {
    IncrementalPlan cached = CACHE.getIfPresent(canonical);
    return cached != null ? cached : of(s, canonical, columns, List.of());
  }
}
