package io.pgtrickle.bench.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Prints the Markdown tables of one or more CSV files written by {@link RefreshBench}, e.g. to
 * merge runs that were split across several sessions: {@code java -cp benchmarks.jar
 * io.pgtrickle.bench.harness.RefreshReport a.csv b.csv}.
 */
public final class RefreshReport {
  private RefreshReport() {}

  public static void main(String[] args) throws IOException {
    List<Measurement> all = new ArrayList<>();
    for (String file : args) {
      for (String line : Files.readAllLines(Path.of(file), StandardCharsets.UTF_8)) {
        if (!line.isBlank() && !line.startsWith("kind,")) {
          all.add(Measurement.parse(line));
        }
      }
    }
    System.out.print(MarkdownReport.render(all));
  }
}
