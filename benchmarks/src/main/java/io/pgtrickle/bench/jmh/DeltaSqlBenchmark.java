package io.pgtrickle.bench.jmh;

import io.pgtrickle.errors.PgTrickleException;
import io.pgtrickle.sql.delta.DeltaGenerator;
import io.pgtrickle.sql.delta.SourceLeaf;
import io.pgtrickle.sql.delta.Target;
import io.pgtrickle.sql.plan.QueryBlock;
import io.pgtrickle.sql.plan.QueryPlanner;
import java.util.Map;
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

/**
 * Generating the statement of one DIFFERENTIAL refresh from an already planned query, as {@code
 * DifferentialRefresh} does on every refresh that finds changes: every source changed, buffers and
 * frontiers as the engine names them.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class DeltaSqlBenchmark {
  @Param({"scan", "filter", "aggregate", "join", "join_aggregate", "left_join_aggregate"})
  public String query;

  private QueryBlock block;
  private DeltaGenerator.Shape shape;
  private Map<String, SourceLeaf> leaves;
  private Target target;

  @Setup(Level.Trial)
  public void plan() throws PgTrickleException {
    block = QueryPlanner.plan(DefiningQueries.QUERIES.get(query), DefiningQueries.FUNCTIONS);
    shape =
        DeltaGenerator.check(
            block, DefiningQueries.outputColumns(block), DefiningQueries.keysByAlias(block));
    leaves = DefiningQueries.leaves(block);
    target = DefiningQueries.target(block, shape);
  }

  @Benchmark
  public String generate() {
    return DeltaGenerator.generate(block, shape, leaves, target);
  }
}
