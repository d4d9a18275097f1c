package io.pgtrickle.sql.plan;

import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Renders a {@link QueryBlock} as stable, indented text: for golden files, logs and error details.
 * Aliases are printed sorted so the output does not depend on set iteration order.
 */
public final class PlanPrinter {
  private PlanPrinter() {}

  /** The text form of {@code block}, ending with a newline. */
  public static String print(QueryBlock block) {
    Objects.requireNonNull(block, "block");
    StringBuilder sb = new StringBuilder();
    sb.append("select:\n");
    for (SelectItem item : block.select()) {
      sb.append("  ")
          .append(item.outputName())
          .append(" = ")
          .append(expr(item.expr()))
          .append('\n');
    }
    sb.append("from:\n");
    block.from().accept(new TreePrinter(sb, "  "));
    line(sb, "where", block.where());
    if (!block.groupBy().isEmpty()) {
      sb.append("group by:\n");
      block.groupBy().forEach(e -> sb.append("  ").append(expr(e)).append('\n'));
    }
    line(sb, "having", block.having());
    sb.append("aggregated: ").append(block.aggregated()).append('\n');
    for (AggregateCall a : block.aggregates()) {
      sb.append("  aggregate ").append(a.function()).append(a.distinct() ? " distinct" : "");
      sb.append(" (").append(a.argument() == null ? "*" : expr(a.argument())).append(")");
      sb.append(" as ").append(a.sql()).append('\n');
    }
    sb.append("distinct: ").append(distinct(block.distinct())).append('\n');
    if (!block.orderBy().isEmpty()) {
      sb.append("order by:\n");
      for (OrderItem o : block.orderBy()) {
        sb.append("  ").append(expr(o.expr())).append(o.descending() ? " DESC" : " ASC");
        if (o.nullsFirst() != null) {
          sb.append(o.nullsFirst() ? " NULLS FIRST" : " NULLS LAST");
        }
        sb.append('\n');
      }
    }
    return sb.toString();
  }

  private static void line(StringBuilder sb, String label, SqlExpr e) {
    if (e != null) {
      sb.append(label).append(": ").append(expr(e)).append('\n');
    }
  }

  private static String distinct(Distinct d) {
    if (d instanceof Distinct.On on) {
      List<String> keys = on.keys().stream().map(PlanPrinter::expr).toList();
      return "ON " + String.join(", ", keys);
    }
    return d instanceof Distinct.All ? "ALL" : "NONE";
  }

  /** {@code sql {aliases}}, with {@code agg} when the expression aggregates. */
  static String expr(SqlExpr e) {
    return e.sql()
        + " {"
        + String.join(",", new TreeSet<>(e.aliases()))
        + "}"
        + (e.containsAggregate() ? " agg" : "");
  }

  /** Prints the FROM tree, one node per line, inputs indented under their join. */
  private static final class TreePrinter implements FromVisitor<Void> {
    private final StringBuilder sb;
    private final String indent;

    TreePrinter(StringBuilder sb, String indent) {
      this.sb = sb;
      this.indent = indent;
    }

    @Override
    public Void visitTable(TableRef t) {
      sb.append(indent).append("table ").append(t.sqlName()).append(" as ").append(t.aliasSql());
      sb.append('\n');
      return null;
    }

    @Override
    public Void visitJoin(JoinNode j) {
      sb.append(indent).append(j.type()).append(" join");
      if (j.condition() != null) {
        sb.append(" on ").append(expr(j.condition()));
      }
      sb.append('\n');
      TreePrinter inner = new TreePrinter(sb, indent + "  ");
      j.left().accept(inner);
      j.right().accept(inner);
      return null;
    }
  }
}
