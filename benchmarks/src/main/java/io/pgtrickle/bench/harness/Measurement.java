package io.pgtrickle.bench.harness;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The samples of one cell: FULL and DIFFERENTIAL refresh times in milliseconds of one query at one
 * source size and one batch of changes per cycle.
 *
 * @param kind {@code matrix} (a change rate), {@code fixed} (a fixed number of changes) or {@code
 *     nochange} (nothing pending; {@code fullMs} is empty)
 * @param rate changes per cycle as a fraction of the table (0 for nochange)
 * @param changes changes per cycle
 * @param status {@code ok}, or {@code FAILED}: the samples must not be used
 */
record Measurement(
    String kind,
    int size,
    String query,
    double rate,
    int changes,
    List<Double> fullMs,
    List<Double> diffMs,
    long seed,
    String status) {

  static final String CSV_HEADER =
      "kind,size,query,rate,changes,samples,full_median_ms,diff_median_ms,ratio,diff_p99_ms,"
          + "seed,status,full_ms,diff_ms";

  Measurement {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(query, "query");
    fullMs = List.copyOf(fullMs);
    diffMs = List.copyOf(diffMs);
    Objects.requireNonNull(status, "status");
  }

  double fullMedian() {
    return Stats.median(fullMs);
  }

  double diffMedian() {
    return Stats.median(diffMs);
  }

  /** FULL median over DIFFERENTIAL median. */
  double ratio() {
    return fullMedian() / diffMedian();
  }

  boolean ok() {
    return status.equals("ok");
  }

  /** One CSV line, with the raw samples separated by spaces in the last two fields. */
  String csv() {
    return String.join(
        ",",
        kind,
        Integer.toString(size),
        query,
        fmt(rate, 6),
        Integer.toString(changes),
        Integer.toString(diffMs.size()),
        fmt(fullMedian(), 3),
        fmt(diffMedian(), 3),
        fmt(ratio(), 2),
        fmt(Stats.percentile(diffMs, 99), 3),
        Long.toString(seed),
        status,
        join(fullMs),
        join(diffMs));
  }

  /** Parses a line written by {@link #csv()}. */
  static Measurement parse(String line) {
    String[] f = line.split(",", -1);
    return new Measurement(
        f[0],
        Integer.parseInt(f[1]),
        f[2],
        Double.parseDouble(f[3]),
        Integer.parseInt(f[4]),
        split(f[12]),
        split(f[13]),
        Long.parseLong(f[10]),
        f[11]);
  }

  private static String join(List<Double> xs) {
    return xs.stream().map(x -> fmt(x, 3)).collect(Collectors.joining(" "));
  }

  private static List<Double> split(String s) {
    return s.isBlank()
        ? List.of()
        : Arrays.stream(s.trim().split(" ")).map(Double::valueOf).toList();
  }

  static String fmt(double x, int decimals) {
    return Double.isNaN(x) ? "" : String.format(Locale.ROOT, "%." + decimals + "f", x);
  }
}
