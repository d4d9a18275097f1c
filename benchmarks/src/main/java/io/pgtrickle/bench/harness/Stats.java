package io.pgtrickle.bench.harness;

import java.util.Arrays;
import java.util.List;

/** Order statistics of a list of samples. */
final class Stats {
  private Stats() {}

  /** The median: the middle sample, or the mean of the two middle ones; NaN when empty. */
  static double median(List<Double> samples) {
    if (samples.isEmpty()) {
      return Double.NaN;
    }
    double[] s = sorted(samples);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  /**
   * The {@code p}-th percentile by the nearest-rank method: the smallest sample with at least
   * {@code p} % of the samples at or below it; NaN when empty.
   */
  static double percentile(List<Double> samples, double p) {
    if (samples.isEmpty()) {
      return Double.NaN;
    }
    double[] s = sorted(samples);
    int rank = (int) Math.ceil(p / 100.0 * s.length);
    return s[Math.max(0, Math.min(s.length - 1, rank - 1))];
  }

  private static double[] sorted(List<Double> samples) {
    double[] s = samples.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(s);
    return s;
  }
}
