package io.pgtrickle.bench.jmh;

import io.pgtrickle.engine.query.IncrementalPlan;
import io.pgtrickle.engine.query.OutputColumn;
import io.pgtrickle.errors.PgTrickleException;
import io.pgtrickle.sql.delta.DeltaGenerator;
import io.pgtrickle.sql.plan.QueryBlock;
import io.pgtrickle.sql.plan.QueryPlanner;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The cache of planned defining queries ({@link IncrementalPlan}, keyed by canonical text) that
 * spares each DIFFERENTIAL refresh a JSqlParser parse.
 *
 * <p>A hit is {@link IncrementalPlan#cachedOrPlan} as a refresh calls it, with a canonical text
 * freshly read (a String not hashed before). A miss is the work {@link IncrementalPlan#of} does in
 * the JVM: collect the function names, parse and translate, choose the strategy (and, for running
 * totals, build the totals query). On a real miss the engine also makes two or three catalog round
 * trips, which this does not include.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class PlanCacheBenchmark {
  @Param({"scan", "aggregate", "join_aggregate", "left_join_aggregate"})
  public String query;

  private String canonical;
  private char[] canonicalChars;
  private List<OutputColumn> columns;
  private final CatalogStub catalog = new CatalogStub();

  @Setup(Level.Trial)
  public void fillCache() throws SQLException {
    canonical = DefiningQueries.QUERIES.get(query);
    canonicalChars = canonical.toCharArray();
    QueryBlock block = QueryPlanner.plan(canonical, DefiningQueries.FUNCTIONS);
    columns =
        DefiningQueries.outputColumns(block).stream()
            .map(name -> new OutputColumn(name, "text"))
            .toList();
    IncrementalPlan.of(catalog, canonical, columns, List.of());
  }

  @Benchmark
  public IncrementalPlan hit() throws SQLException {
    return IncrementalPlan.cachedOrPlan(catalog, new String(canonicalChars), columns);
  }

  /**
   * One of the two parses a miss makes: the function names, asked of the catalog before planning.
   */
  @Benchmark
  public Object missFunctionNamesOnly() throws PgTrickleException {
    return QueryPlanner.functionNames(canonical);
  }

  @Benchmark
  public void miss(Blackhole bh) throws PgTrickleException {
    bh.consume(QueryPlanner.functionNames(canonical));
    QueryBlock block = QueryPlanner.plan(canonical, DefiningQueries.FUNCTIONS);
    DeltaGenerator.Shape shape =
        DeltaGenerator.check(
            block, DefiningQueries.outputColumns(block), DefiningQueries.keysByAlias(block));
    if (shape.strategy() == DeltaGenerator.Strategy.ALGEBRAIC) {
      bh.consume(DeltaGenerator.totalsQuery(block));
    }
    bh.consume(shape);
  }
}
