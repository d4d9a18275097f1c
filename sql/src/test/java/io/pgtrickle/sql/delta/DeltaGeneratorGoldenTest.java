package io.pgtrickle.sql.delta;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.errors.PgTrickleException;
import io.pgtrickle.sql.plan.FunctionCatalog;
import io.pgtrickle.sql.plan.FunctionKind;
import io.pgtrickle.sql.plan.QueryBlock;
import io.pgtrickle.sql.plan.QueryPlanner;
import io.pgtrickle.sql.plan.TableRef;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The refresh statements generated for the planner's corpus of real {@code pg_get_viewdef} output,
 * compared with {@code delta.golden.txt}: once with every table changed and once with only the
 * first. After an intended change, regenerate with {@code mvn -pl sql test
 * -Dtest=DeltaGeneratorGoldenTest -Dpgtrickle.golden.rewrite=true} and review the diff.
 */
class DeltaGeneratorGoldenTest {
  private static final Path QUERIES =
      Path.of("src/test/resources/io/pgtrickle/sql/plan/planner.queries.sql");
  private static final Path GOLDEN =
      Path.of("src/test/resources/io/pgtrickle/sql/delta/delta.golden.txt");
  private static final boolean REWRITE = Boolean.getBoolean("pgtrickle.golden.rewrite");

  private static final Set<String> AGGREGATES = Set.of("count", "sum", "avg", "min", "max");
  private static final FunctionCatalog FUNCTIONS =
      name ->
          AGGREGATES.contains(name)
              ? FunctionKind.AGGREGATE
              : name.equals("now") ? FunctionKind.STABLE : FunctionKind.IMMUTABLE;

  /** Primary keys of the corpus tables (see the header of planner.queries.sql). */
  private static final Map<String, List<String>> KEYS =
      Map.of(
          "orders", List.of("id"),
          "customers", List.of("customer_id"),
          "items", List.of("id"));

  @Test
  void generatedStatementsMatchTheGoldenFile() throws Exception {
    StringBuilder actual = new StringBuilder();
    int generated = 0;
    for (Map.Entry<String, String> c : cases().entrySet()) {
      actual.append("=== ").append(c.getKey()).append('\n');
      QueryBlock q;
      try {
        q = QueryPlanner.plan(c.getValue(), FUNCTIONS);
      } catch (PgTrickleException e) {
        actual.append("not planned: ").append(e.getMessage()).append("\n\n");
        continue;
      }
      List<String> columns = new ArrayList<>();
      for (int i = 0; i < q.select().size(); i++) {
        columns.add("c" + (i + 1));
      }
      Map<String, List<String>> keys = new LinkedHashMap<>();
      for (TableRef t : q.tables()) {
        keys.put(t.alias(), KEYS.getOrDefault(t.table(), List.of()));
      }
      DeltaGenerator.Shape shape;
      try {
        shape = DeltaGenerator.check(q, columns, keys);
      } catch (PgTrickleException e) {
        actual.append("not incremental: ").append(e.getMessage()).append("\n\n");
        continue;
      }
      actual.append("-- ").append(shape.strategy()).append(" keys ").append(shape.keyColumns());
      Target target = new Target("public.st", columns, List.of(), "pgtrickle_changes.\"aux_1\"");
      actual.append("\n-- all tables changed\n");
      actual.append(DeltaGenerator.generate(q, shape, leaves(q, null), target)).append('\n');
      String first = q.tables().get(0).alias();
      actual.append("-- only ").append(first).append(" changed\n");
      actual.append(DeltaGenerator.generate(q, shape, leaves(q, first), target)).append("\n\n");
      generated++;
    }
    assertThat(generated).as("cases with a generated statement").isGreaterThanOrEqualTo(15);
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

  /** Every alias with a buffer named after its table; only {@code onlyChanged} changed if set. */
  private static Map<String, SourceLeaf> leaves(QueryBlock q, String onlyChanged) {
    Map<String, SourceLeaf> leaves = new LinkedHashMap<>();
    for (TableRef t : q.tables()) {
      leaves.put(
          t.alias(),
          new SourceLeaf(
              "pgtrickle_changes.\"changes_" + t.table() + "\"",
              List.of(new SourceLeaf.Column("id", "integer"), new SourceLeaf.Column("x", "text")),
              "NOT pgtrickle.behind_frontier(__pgt_b.__pgt_xid, __pgt_b.__pgt_change_id,"
                  + " '10:20:'::pg_snapshot, '15'::xid8, 0)",
              onlyChanged == null || onlyChanged.equals(t.alias())));
    }
    return leaves;
  }

  /** The corpus, one text per query name (the last server version listed). */
  private static Map<String, String> cases() throws Exception {
    Map<String, String> cases = new LinkedHashMap<>();
    String name = null;
    StringBuilder sql = new StringBuilder();
    for (String line : Files.readAllLines(QUERIES, StandardCharsets.UTF_8)) {
      if (line.matches("-- [a-z0-9_]+( pg[0-9]+)?")) {
        if (name != null) {
          cases.put(name, sql.toString().strip());
        }
        name = line.substring(3).split(" ")[0];
        sql.setLength(0);
      } else if (name != null) {
        sql.append(line).append('\n');
      }
    }
    if (name != null) {
      cases.put(name, sql.toString().strip());
    }
    return cases;
  }
}
