package io.pgtrickle.bench.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatsTest {

  @Test
  void medianOfOddAndEvenCounts() {
    assertThat(Stats.median(List.of(3.0, 1.0, 2.0))).isEqualTo(2.0);
    assertThat(Stats.median(List.of(4.0, 1.0, 2.0, 3.0))).isEqualTo(2.5);
    assertThat(Stats.median(List.of())).isNaN();
  }

  @Test
  void percentileIsNearestRank() {
    List<Double> xs = new ArrayList<>();
    for (int i = 1; i <= 200; i++) {
      xs.add((double) i);
    }
    assertThat(Stats.percentile(xs, 99)).isEqualTo(198.0);
    assertThat(Stats.percentile(xs, 50)).isEqualTo(100.0);
    assertThat(Stats.percentile(List.of(5.0), 99)).isEqualTo(5.0);
  }

  @Test
  void csvLinesRoundTrip() {
    Measurement m =
        new Measurement(
            "matrix", 10_000, "agg_few", 0.01, 100, List.of(1.5, 2.25), List.of(0.5), 7, "ok");
    assertThat(Measurement.parse(m.csv())).isEqualTo(m);
    assertThat(m.ratio()).isEqualTo(3.75);
  }
}
