package io.pgtrickle.sql.delta;

import io.pgtrickle.sql.lex.Identifiers;
import io.pgtrickle.sql.plan.FromItem;
import io.pgtrickle.sql.plan.JoinNode;
import io.pgtrickle.sql.plan.JoinType;
import io.pgtrickle.sql.plan.TableRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Renders a query's FROM clause for one term: each alias bound to its current table, its pending
 * changes, or a NULL row, optionally renamed.
 */
final class TermRenderer {
  private final Map<String, SourceLeaf> leaves;

  TermRenderer(Map<String, SourceLeaf> leaves) {
    this.leaves = Map.copyOf(leaves);
  }

  /**
   * The FROM clause of {@code item} under {@code bindings} (aliases not mentioned are POST). A LEFT
   * JOIN whose right side reads changes becomes an inner join: a change row of the right side only
   * matters where it matches.
   */
  String from(FromItem item, Map<String, Binding> bindings, Map<String, String> renames) {
    if (item instanceof TableRef t) {
      return leaf(t, bindings.getOrDefault(t.alias(), Binding.POST), renames);
    }
    JoinNode j = (JoinNode) item;
    String left = from(j.left(), bindings, renames);
    String right = from(j.right(), bindings, renames);
    if (j.right() instanceof JoinNode) {
      right = "(" + right + ")";
    }
    if (j.condition() == null) {
      return left + " CROSS JOIN " + right;
    }
    String cond = AliasRenamer.rename(j.condition().sql(), renames);
    boolean outer = j.type() == JoinType.LEFT && !readsChanges(j.right(), bindings);
    return left + (outer ? " LEFT JOIN " : " JOIN ") + right + " ON " + cond;
  }

  /** The FROM clause with every table as it is now, as the query itself reads it. */
  String fromPost(FromItem item) {
    return from(item, Map.of(), Map.of());
  }

  /** The SQL for one alias under a binding. */
  String leaf(TableRef t, Binding binding, Map<String, String> renames) {
    String alias = Identifiers.quote(renames.getOrDefault(t.alias(), t.alias()));
    SourceLeaf s = leaves.get(t.alias());
    return switch (binding) {
      case POST -> t.sqlName() + " AS " + alias;
      case DELTA ->
          "(SELECT "
              + s.columns().stream()
                  .map(c -> "__pgt_b." + Identifiers.quote(c.name()))
                  .collect(Collectors.joining(", "))
              + (s.columns().isEmpty() ? "" : ", ")
              + "CASE __pgt_b.__pgt_op WHEN 'I' THEN 1 ELSE -1 END AS __pgt_w FROM "
              + s.buffer()
              + " __pgt_b WHERE __pgt_b.__pgt_op <> 'T' AND "
              + s.pendingPredicate()
              + ") AS "
              + alias;
      case NULL_ROW ->
          "(SELECT "
              + s.columns().stream()
                  .map(c -> "NULL::" + c.type() + " AS " + Identifiers.quote(c.name()))
                  .collect(Collectors.joining(", "))
              + ") AS "
              + alias;
    };
  }

  /** The product of the weights of the DELTA-bound aliases, times {@code sign}. */
  static String weight(Map<String, Binding> bindings, int sign) {
    List<String> factors = new ArrayList<>();
    bindings.forEach(
        (alias, b) -> {
          if (b == Binding.DELTA) {
            factors.add(Identifiers.quote(alias) + ".__pgt_w");
          }
        });
    factors.sort(null); // stable text for golden files
    String product = factors.isEmpty() ? "1" : String.join(" * ", factors);
    return sign < 0 ? "-(" + product + ")" : product;
  }

  /** Whether any alias under {@code item} is bound to its changes. */
  static boolean readsChanges(FromItem item, Map<String, Binding> bindings) {
    return aliases(item).stream().anyMatch(a -> bindings.get(a) == Binding.DELTA);
  }

  /** The aliases of the tables under {@code item}, left to right. */
  static List<String> aliases(FromItem item) {
    return item.tables().stream().map(TableRef::alias).toList();
  }
}
