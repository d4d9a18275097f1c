package io.pgtrickle.bench.harness;

import java.util.Arrays;

/** Order statistics of a sample of durations in nanoseconds. */
record ImmediateStats(long[] sorted) {
  ImmediateStats {
    if (sorted.length == 0) {
      throw new IllegalArgumentException("an empty sample");
    }
    sorted = sorted.clone();
    Arrays.sort(sorted);
  }

  int count() {
    return sorted.length;
  }

  /** The median; the mean of the two middle values for an even count. */
  double median() {
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
  }

  /** The nearest-rank percentile {@code p} (0 < p ≤ 100). */
  double percentile(double p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, rank - 1)];
  }

  double mean() {
    return Arrays.stream(sorted).average().orElseThrow();
  }

  long min() {
    return sorted[0];
  }

  long max() {
    return sorted[sorted.length - 1];
  }
}
