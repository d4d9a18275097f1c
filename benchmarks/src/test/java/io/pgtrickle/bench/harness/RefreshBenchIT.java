package io.pgtrickle.bench.harness;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.testing.PgTest;
import io.pgtrickle.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The refresh harness at a tiny scale, with every correctness check on, so it cannot rot: 2,000
 * rows, one change rate, two query shapes, the fixed-change series and a few no-change refreshes.
 * Nothing here looks at how long anything took.
 */
@PgTest
class RefreshBenchIT {

  @Test
  void tinyMatrixRunsWithItsChecksAndReports(TestDatabase db) throws Exception {
    RefreshMatrix.Settings settings =
        new RefreshMatrix.Settings(
            List.of(2_000),
            List.of(0.05),
            List.of(BenchQuery.AGG_MANY, BenchQuery.JOIN),
            2,
            100,
            List.of(BenchQuery.AGG_MANY),
            List.of(BenchQuery.AGG_MANY),
            2,
            10,
            100_000,
            0,
            42);
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    List<Measurement> results;
    try (Connection api = DriverManager.getConnection(db.pgTrickleUrl(), db.properties());
        Connection data = db.connect();
        PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8)) {
      RefreshMatrix matrix = new RefreshMatrix(api, data, settings, out);
      matrix.run();
      assertThat(matrix.failures()).as(log.toString(StandardCharsets.UTF_8)).isEmpty();
      results = matrix.results();
    }
    assertThat(results)
        .extracting(m -> m.kind() + " " + m.query() + " " + m.changes() + " " + m.status())
        .containsExactly(
            "matrix agg_many 100 ok",
            "fixed agg_many 100 ok",
            "nochange agg_many 0 ok",
            "matrix join 100 ok");
    assertThat(results.get(3).fullMs()).hasSize(2);
    assertThat(results.get(3).diffMs()).hasSize(2);
    assertThat(results.get(2).diffMs()).hasSize(10);
    for (Measurement m : results) {
      Measurement back = Measurement.parse(m.csv());
      assertThat(back.kind() + back.size() + back.query() + back.changes() + back.status())
          .isEqualTo(m.kind() + m.size() + m.query() + m.changes() + m.status());
      assertThat(back.diffMs()).hasSameSizeAs(m.diffMs());
    }
    assertThat(MarkdownReport.render(results))
        .contains("| join |", "| agg_many |", "2,000 rows", "median ms");
  }
}
