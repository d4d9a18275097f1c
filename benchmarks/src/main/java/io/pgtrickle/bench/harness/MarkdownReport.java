package io.pgtrickle.bench.harness;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Renders measurements as Markdown: the FULL/DIFFERENTIAL matrix per source size, the fixed
 * 1,000-change series, and the no-change latencies. Failed cells show as FAILED, never as numbers.
 */
final class MarkdownReport {
  private MarkdownReport() {}

  static String render(List<Measurement> all) {
    StringBuilder out = new StringBuilder();
    matrix(out, all);
    fixed(out, all);
    noChange(out, all);
    return out.toString();
  }

  private static void matrix(StringBuilder out, List<Measurement> all) {
    List<Measurement> ms = of(all, "matrix");
    if (ms.isEmpty()) {
      return;
    }
    TreeSet<Integer> sizes = new TreeSet<>();
    TreeSet<Double> rates = new TreeSet<>();
    ms.forEach(m -> sizes.add(m.size()));
    ms.forEach(m -> rates.add(m.rate()));
    for (int size : sizes) {
      out.append(
          String.format(
              Locale.ROOT,
              "%n%,d rows — FULL ms / DIFFERENTIAL ms (FULL/DIFFERENTIAL):%n%n",
              size));
      out.append("| query |");
      rates.forEach(r -> out.append(' ').append(percent(r)).append(" |"));
      out.append("\n|---|");
      rates.forEach(r -> out.append("---:|"));
      out.append('\n');
      for (String q : queries(ms)) {
        out.append("| ").append(q).append(" |");
        for (double r : rates) {
          Measurement m = find(ms, size, q, r);
          out.append(' ').append(m == null ? "" : cell(m)).append(" |");
        }
        out.append('\n');
      }
    }
  }

  private static void fixed(StringBuilder out, List<Measurement> all) {
    List<Measurement> ms = of(all, "fixed");
    if (ms.isEmpty()) {
      return;
    }
    TreeSet<Integer> sizes = new TreeSet<>();
    ms.forEach(m -> sizes.add(m.size()));
    out.append(
        String.format(
            Locale.ROOT,
            "%nA fixed %,d changes per refresh as the source grows — DIFFERENTIAL ms (FULL ms):%n%n",
            ms.get(0).changes()));
    out.append("| query |");
    sizes.forEach(s -> out.append(String.format(Locale.ROOT, " %,d rows |", s)));
    out.append("\n|---|");
    sizes.forEach(s -> out.append("---:|"));
    out.append('\n');
    for (String q : queries(ms)) {
      out.append("| ").append(q).append(" |");
      for (int size : sizes) {
        Measurement m =
            ms.stream()
                .filter(x -> x.size() == size && x.query().equals(q))
                .findFirst()
                .orElse(null);
        String text =
            m == null
                ? ""
                : !m.ok() ? "FAILED" : ms(m.diffMedian()) + " (" + ms(m.fullMedian()) + ")";
        out.append(' ').append(text).append(" |");
      }
      out.append('\n');
    }
  }

  private static void noChange(StringBuilder out, List<Measurement> all) {
    List<Measurement> ms = of(all, "nochange");
    if (ms.isEmpty()) {
      return;
    }
    out.append(
        "\n| source rows | query | samples | median ms | p99 ms |\n|---:|---|---:|---:|---:|\n");
    for (Measurement m : ms) {
      out.append(
          String.format(
              Locale.ROOT,
              "| %,d | %s | %d | %s | %s |%n",
              m.size(),
              m.query(),
              m.diffMs().size(),
              m.ok() ? String.format(Locale.ROOT, "%.2f", m.diffMedian()) : "FAILED",
              m.ok()
                  ? String.format(Locale.ROOT, "%.2f", Stats.percentile(m.diffMs(), 99))
                  : "FAILED"));
    }
  }

  private static String cell(Measurement m) {
    if (!m.ok()) {
      return "FAILED";
    }
    return ms(m.fullMedian()) + " / " + ms(m.diffMedian()) + " (" + ratio(m.ratio()) + ")";
  }

  /** Milliseconds with three significant digits at most, never in exponent form. */
  static String ms(double x) {
    if (x >= 100) {
      return String.format(Locale.ROOT, "%,.0f", x);
    }
    if (x >= 10) {
      return String.format(Locale.ROOT, "%.1f", x);
    }
    return String.format(Locale.ROOT, "%.2f", x);
  }

  static String ratio(double x) {
    return x >= 10
        ? String.format(Locale.ROOT, "%.0f×", x)
        : String.format(Locale.ROOT, "%.1f×", x);
  }

  static String percent(double rate) {
    String s = Measurement.fmt(rate * 100, 2).replaceAll("0+$", "").replaceAll("\\.$", "");
    return s + " %";
  }

  private static List<Measurement> of(List<Measurement> all, String kind) {
    List<Measurement> out = new ArrayList<>();
    for (Measurement m : all) {
      if (m.kind().equals(kind)) {
        out.add(m);
      }
    }
    return out;
  }

  /** Query labels in the order of {@link BenchQuery}. */
  private static List<String> queries(List<Measurement> ms) {
    Map<String, Boolean> seen = new LinkedHashMap<>();
    for (BenchQuery q : BenchQuery.values()) {
      if (ms.stream().anyMatch(m -> m.query().equals(q.label()))) {
        seen.put(q.label(), true);
      }
    }
    return new ArrayList<>(seen.keySet());
  }

  private static Measurement find(List<Measurement> ms, int size, String q, double rate) {
    return ms.stream()
        .filter(m -> m.size() == size && m.query().equals(q) && m.rate() == rate)
        .findFirst()
        .orElse(null);
  }
}
