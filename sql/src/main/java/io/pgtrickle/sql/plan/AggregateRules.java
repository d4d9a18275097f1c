package io.pgtrickle.sql.plan;

import java.util.List;
import java.util.Set;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.Function;
import net.sf.jsqlparser.statement.select.AllColumns;
import net.sf.jsqlparser.statement.select.AllTableColumns;

/**
 * Which aggregate calls DIFFERENTIAL maintenance can keep up to date: the built-in count, sum, avg,
 * min and max over one plain argument (or {@code count(*)}), where the query's grouping allows
 * them. Each of these can be maintained from per-group state; DISTINCT, ORDER BY, FILTER and the
 * other aggregates need the group's whole input.
 */
final class AggregateRules {
  private static final Set<String> SUPPORTED = Set.of("count", "sum", "avg", "min", "max");

  private AggregateRules() {}

  /**
   * The argument of the supported aggregate call {@code f}, or null for {@code count(*)}.
   *
   * @param fail builds the error for {@code f} from a construct name and an optional reason
   */
  static Expression argument(Function f, FunctionName name, Clause clause, Failure fail) {
    if (!clause.aggregatesAllowed()) {
      throw fail.of("aggregate functions in " + clause.label(), null);
    }
    if (!name.builtin() || !SUPPORTED.contains(name.name())) {
      throw fail.of(
          "the aggregate function " + name.qualified() + "()",
          "the supported aggregates are count, sum, avg, min and max");
    }
    if (f.isDistinct() || f.isUnique()) {
      throw fail.of("aggregates with DISTINCT", null);
    }
    if (f.getOrderByElements() != null && !f.getOrderByElements().isEmpty()) {
      throw fail.of("aggregates with ORDER BY", null);
    }
    if (f.getHavingClause() != null
        || f.getLimit() != null
        || f.getKeep() != null
        || f.getNullHandling() != null
        || f.getNamedParameters() != null
        || f.getChainedParameters() != null
        || f.getAttribute() != null) {
      throw fail.of("this aggregate syntax", null);
    }
    List<? extends Expression> args = f.getParameters();
    boolean star =
        f.isAllColumns()
            || (args != null
                && args.size() == 1
                && args.get(0) instanceof AllColumns
                && !(args.get(0) instanceof AllTableColumns));
    if (star) {
      if (!name.name().equals("count")) {
        throw fail.of("this aggregate syntax", null);
      }
      return null;
    }
    if (args == null || args.size() != 1) {
      throw fail.of("aggregates without exactly one argument", null);
    }
    return args.get(0);
  }

  /** Builds the error for the call under inspection. */
  @FunctionalInterface
  interface Failure {
    /** The error naming {@code construct}, with an optional reason. */
    PlanningError of(String construct, String why);
  }
}
