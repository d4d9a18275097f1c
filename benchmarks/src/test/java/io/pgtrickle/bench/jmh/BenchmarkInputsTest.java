package io.pgtrickle.bench.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.UnpooledByteBufAllocator;
import io.pgtrickle.engine.immediate.ImmediateInterceptor;
import io.pgtrickle.engine.query.IncrementalPlan;
import io.pgtrickle.sql.dml.StatementClass;
import io.pgtrickle.sql.dml.StatementClass.Kind;
import io.pgtrickle.sql.dml.StatementClassifier;
import io.pgtrickle.sql.lex.QualifiedName;
import org.junit.jupiter.api.Test;

/**
 * The benchmarks measure what they claim to: their statements classify as intended, their defining
 * queries plan to the intended strategies, and the frame benchmarks see every message and free
 * every buffer. Each benchmark method runs once; nothing here is timed.
 */
class BenchmarkInputsTest {

  @Test
  void statementsClassifyAsIntended() {
    String select = Statements.selectOnly(12_345);
    assertThat(ImmediateInterceptor.classify(select).kind()).isEqualTo(Kind.READ);
    assertThat(StatementClassifier.classify(select).kind()).isEqualTo(Kind.READ);
    assertThat(StatementClassifier.classify(select).names()).contains("pgbench_accounts");

    StatementClass update = ImmediateInterceptor.classify(Statements.accountUpdate(7, -12));
    assertThat(update.kind()).isEqualTo(Kind.WRITE);
    assertThat(update.writes()).containsExactly(new QualifiedName(null, "pgbench_accounts"));
    assertThat(update.inlineValues()).as("not cached: its values are inline").isTrue();

    StatementClass script = ImmediateInterceptor.classify(Statements.tpcbScript(7, 2, 1, -12));
    assertThat(script.kind()).as("a script with BEGIN and END in it").isEqualTo(Kind.CALL);
    assertThat(script.writes())
        .extracting(QualifiedName::name)
        .containsExactlyInAnyOrder(
            "pgbench_accounts", "pgbench_tellers", "pgbench_branches", "pgbench_history");

    assertThat(Statements.accountUpdate(1, Statements.delta(1)))
        .isNotEqualTo(Statements.accountUpdate(2, Statements.delta(2)));
  }

  @Test
  void classifyBenchmarksRun() throws Exception {
    ClassifyBenchmark b = new ClassifyBenchmark();
    b.buildMessages();
    try {
      b.readCatalogs();
      assertThat(b.connectionUniqueUpdateNothingTracked().mayWrite())
          .as("nothing tracked: the cheap class")
          .isFalse();
      StatementClass tracked = b.connectionUniqueUpdateTracked();
      assertThat(tracked.writes()).containsExactly(new QualifiedName(null, "pgbench_accounts"));
      assertThat(b.proxyQuerySelect().kind()).isEqualTo(Kind.READ);
      assertThat(b.proxyQueryRepeatedUpdate().kind()).isEqualTo(Kind.WRITE);
      assertThat(b.cacheHitRepeatedUpdate().kind()).isEqualTo(Kind.WRITE);
      assertThat(b.cacheMissUniqueUpdate().kind()).isEqualTo(Kind.WRITE);
      assertThat(b.fastPathSelect().kind()).isEqualTo(Kind.READ);
    } finally {
      b.releaseMessages();
    }
  }

  @Test
  void definingQueriesPlanToTheirStrategiesAndGenerate() throws Exception {
    for (String name : DefiningQueries.QUERIES.keySet()) {
      DeltaSqlBenchmark delta = new DeltaSqlBenchmark();
      delta.query = name;
      delta.plan();
      assertThat(delta.generate()).as(name).contains("__pgt_ins").contains("__pgt_del");

      PlanCacheBenchmark cache = new PlanCacheBenchmark();
      cache.query = name;
      cache.fillCache();
      IncrementalPlan plan = cache.hit();
      assertThat(plan.shape().strategy()).as(name).isEqualTo(DefiningQueries.STRATEGIES.get(name));
      assertThat(cache.hit()).as("a cache hit returns the cached plan").isSameAs(plan);
    }
  }

  @Test
  void framesAreAllSeenAndFreed() {
    for (int chunk : new int[] {8192, 65536, 1000}) {
      UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(true);
      BackendFramesBenchmark b = new BackendFramesBenchmark();
      b.alloc = alloc;
      b.chunkSize = chunk;
      b.connect();
      try {
        assertThat(b.decode()).as("frames").isEqualTo(BackendFramesBenchmark.ROWS + 3);
        assertThat(b.passThrough()).as("bytes to the client").isEqualTo(b.responseBytes());
        b.baselineReadChunks();
        assertThat(alloc.metric().usedDirectMemory()).as("direct memory still held").isZero();
      } finally {
        b.close();
      }
    }
  }
}
