package io.pgtrickle.sql.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Plans real pg_get_viewdef output and compares the printed models with {@code planner.golden.txt}.
 * After an intended change, regenerate the file with {@code mvn -pl sql test
 * -Dtest=QueryPlannerGoldenTest -Dpgtrickle.golden.rewrite=true} and review its diff.
 */
class QueryPlannerGoldenTest {
  // Surefire runs in the module directory; the files are read and written in the source tree so
  // that a rewrite lands where it can be reviewed and committed.
  private static final Path DIR = Path.of("src/test/resources/io/pgtrickle/sql/plan");
  private static final Path QUERIES = DIR.resolve("planner.queries.sql");
  private static final Path GOLDEN = DIR.resolve("planner.golden.txt");
  private static final boolean REWRITE = Boolean.getBoolean("pgtrickle.golden.rewrite");

  /** One input: a query's name, the server version that printed it (or ""), its text. */
  record Case(String name, String version, String sql) {
    String title() {
      return version.isEmpty() ? name : name + " " + version;
    }
  }

  @Test
  void plansMatchTheGoldenFile() throws Exception {
    StringBuilder actual = new StringBuilder();
    for (Case c : cases()) {
      actual.append("=== ").append(c.title()).append('\n');
      actual.append(PlanPrinter.print(QueryPlanner.plan(c.sql(), TestCatalog.INSTANCE)));
      actual.append('\n');
    }
    if (REWRITE) {
      Files.writeString(GOLDEN, actual, StandardCharsets.UTF_8);
      System.out.println("rewrote " + GOLDEN.toAbsolutePath());
      return;
    }
    assertThat(GOLDEN)
        .as("golden file missing; run with -Dpgtrickle.golden.rewrite=true to create it")
        .exists();
    assertThat(actual.toString()).isEqualTo(Files.readString(GOLDEN, StandardCharsets.UTF_8));
  }

  /**
   * PostgreSQL 16+ leaves the columns of single-table queries unqualified; the planner qualifies
   * them, so both servers' texts must give the very same model.
   */
  @Test
  void everyServerVersionOfAQueryPlansAlike() throws Exception {
    Map<String, List<Case>> byName = new LinkedHashMap<>();
    for (Case c : cases()) {
      byName.computeIfAbsent(c.name(), k -> new ArrayList<>()).add(c);
    }
    int compared = 0;
    for (List<Case> versions : byName.values()) {
      QueryBlock first = QueryPlanner.plan(versions.get(0).sql(), TestCatalog.INSTANCE);
      for (Case other : versions.subList(1, versions.size())) {
        assertThat(QueryPlanner.plan(other.sql(), TestCatalog.INSTANCE))
            .as(other.title())
            .isEqualTo(first);
        compared++;
      }
    }
    assertThat(compared).as("cases with two server versions").isGreaterThanOrEqualTo(10);
  }

  /** Parses the input file: each case starts with a line {@code -- name [version]}. */
  static List<Case> cases() throws IOException {
    List<Case> cases = new ArrayList<>();
    String name = null;
    String version = "";
    StringBuilder sql = new StringBuilder();
    for (String line : Files.readAllLines(QUERIES, StandardCharsets.UTF_8)) {
      if (line.startsWith("-- ") && line.matches("-- [a-z0-9_]+( pg[0-9]+)?")) {
        if (name != null) {
          cases.add(new Case(name, version, sql.toString().stripTrailing()));
        }
        String[] parts = line.substring(3).split(" ");
        name = parts[0];
        version = parts.length > 1 ? parts[1] : "";
        sql.setLength(0);
      } else if (name != null) {
        sql.append(line).append('\n');
      }
    }
    if (name != null) {
      cases.add(new Case(name, version, sql.toString().stripTrailing()));
    }
    assertThat(cases).hasSizeGreaterThanOrEqualTo(20);
    return cases;
  }
}
