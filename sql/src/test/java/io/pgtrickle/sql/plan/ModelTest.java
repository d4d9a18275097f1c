package io.pgtrickle.sql.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The model records: immutable, validated, and the FROM visitor. */
class ModelTest {
  private static final SqlExpr TRUE = new SqlExpr("true", Set.of(), false);

  @Test
  void collectionsAreCopied() {
    Set<String> aliases = new HashSet<>(Set.of("o"));
    SqlExpr e = new SqlExpr("o.id", aliases, false);
    aliases.add("c");
    assertThat(e.aliases()).containsExactly("o");
    List<SelectItem> items = new ArrayList<>(List.of(new SelectItem(e, "id")));
    QueryBlock q =
        new QueryBlock(
            new TableRef(null, "orders", "o"),
            null,
            items,
            List.of(),
            false,
            null,
            Distinct.NONE,
            List.of(),
            List.of());
    items.clear();
    assertThat(q.select()).hasSize(1);
    assertThatThrownBy(() -> q.select().clear()).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void invariantsAreChecked() {
    TableRef t = new TableRef(null, "t", "t");
    assertThatThrownBy(() -> new SqlExpr(" ", Set.of(), false))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new JoinNode(JoinType.LEFT, t, t, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Distinct.On(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                new QueryBlock(
                    t,
                    null,
                    List.of(new SelectItem(TRUE, "x")),
                    List.of(TRUE),
                    false,
                    null,
                    Distinct.NONE,
                    List.of(),
                    List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void tableNamesAreQuotedForSql() {
    TableRef t = new TableRef("My Schema", "Order \"Items\"", "oi");
    assertThat(t.sqlName()).isEqualTo("\"My Schema\".\"Order \"\"Items\"\"\"");
    assertThat(t.aliasSql()).isEqualTo("\"oi\"");
  }

  @Test
  void fromVisitorSeesEveryNode() {
    TableRef a = new TableRef(null, "a", "a");
    TableRef b = new TableRef(null, "b", "b");
    TableRef c = new TableRef(null, "c", "c");
    FromItem tree = new JoinNode(JoinType.LEFT, new JoinNode(JoinType.INNER, a, b, null), c, TRUE);
    assertThat(tree.tables()).containsExactly(a, b, c);
    int joins =
        tree.accept(
            new FromVisitor<Integer>() {
              @Override
              public Integer visitTable(TableRef table) {
                return 0;
              }

              @Override
              public Integer visitJoin(JoinNode join) {
                return 1 + join.left().accept(this) + join.right().accept(this);
              }
            });
    assertThat(joins).isEqualTo(2);
  }
}
