package io.pgtrickle.sql.plan;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.sf.jsqlparser.expression.AnalyticExpression;
import net.sf.jsqlparser.expression.AnalyticType;
import net.sf.jsqlparser.expression.AnyComparisonExpression;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.ExpressionVisitorAdapter;
import net.sf.jsqlparser.expression.Function;
import net.sf.jsqlparser.expression.JdbcNamedParameter;
import net.sf.jsqlparser.expression.JdbcParameter;
import net.sf.jsqlparser.expression.NextValExpression;
import net.sf.jsqlparser.expression.NumericBind;
import net.sf.jsqlparser.expression.TrimFunction;
import net.sf.jsqlparser.expression.UserVariable;
import net.sf.jsqlparser.expression.operators.relational.ExistsExpression;
import net.sf.jsqlparser.expression.operators.relational.InExpression;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.select.AllColumns;
import net.sf.jsqlparser.statement.select.AllTableColumns;
import net.sf.jsqlparser.statement.select.ParenthesedSelect;
import net.sf.jsqlparser.statement.select.Select;

/**
 * Reads one expression for the model: the aliases it references, the column references that need
 * their alias written out, and its aggregate calls. It rejects what DIFFERENTIAL maintenance cannot
 * follow: subqueries, window functions, volatile or unknown functions, and the aggregate calls
 * {@link AggregateRules} turns down.
 *
 * <p>JSqlParser's visitor adapter does the dispatch; a sweep over its parse tree ({@link
 * ParseIndex}) then catches what the adapter does not descend into.
 */
final class ExprAnalyzer extends ExpressionVisitorAdapter<Void> {
  /** SQL value keywords that JSqlParser reads as column names; PostgreSQL quotes real columns. */
  private static final Set<String> SQL_VALUE_KEYWORDS =
      Set.of(
          "current_date",
          "current_time",
          "current_timestamp",
          "localtime",
          "localtimestamp",
          "current_role",
          "current_user",
          "session_user",
          "user",
          "current_catalog",
          "current_schema",
          "system_user");

  private final PlanContext ctx;
  private final CanonicalText text;
  private final Clause clause;
  private final Set<String> aliases = new LinkedHashSet<>();

  /** Qualifiers to write before unqualified column references, by token index. */
  private final Map<Integer, String> qualifiers = new HashMap<>();

  private final List<AggregateCall> aggregates = new ArrayList<>();

  /** Columns and calls already handled, shared with the analyzers of aggregate arguments. */
  private final Set<Object> seen;

  /** The expression being walked: what an error points at when JSqlParser kept no position. */
  private Span current;

  /**
   * The analysis of one expression.
   *
   * @param expr the model expression
   * @param aggregates the aggregate calls in it, in order
   */
  record Result(SqlExpr expr, List<AggregateCall> aggregates) {}

  private ExprAnalyzer(PlanContext ctx, Clause clause, Set<Object> seen) {
    this.ctx = ctx;
    this.text = ctx.text();
    this.clause = clause;
    this.seen = seen;
  }

  /** Analyzes {@code e}, whose text is the tokens of {@code span}. */
  static Result analyze(Expression e, Span span, Clause clause, PlanContext ctx) {
    ExprAnalyzer a =
        new ExprAnalyzer(ctx, clause, Collections.newSetFromMap(new IdentityHashMap<>()));
    a.walk(e, span);
    String sql = a.text.render(a.text.stripParens(span), a.qualifiers);
    return new Result(
        new SqlExpr(sql, a.aliases, !a.aggregates.isEmpty()), List.copyOf(a.aggregates));
  }

  /**
   * Visits {@code e}, then sweeps the parse tree under {@code span} for columns, calls and
   * subqueries the visitor adapter did not reach.
   */
  private void walk(Expression e, Span span) {
    current = span;
    e.accept(this, null);
    for (Object o : ctx.index().within(span)) {
      if (seen.contains(o)) {
        continue;
      }
      if (o instanceof Select select) {
        throw fail(select, "subqueries", null);
      }
      ((Expression) o).accept(this, null);
    }
  }

  private PlanningError fail(Object jsqlObject, String construct, String why) {
    Span span = text.span(jsqlObject);
    return PlanErrors.unsupported(
        text, span != null ? span : text.stripParens(current), null, construct, why);
  }

  @Override
  public <S> Void visit(Column column, S context) {
    seen.add(column);
    Table table = column.getTable();
    if (table == null || table.getName() == null || table.getName().isEmpty()) {
      unqualified(column);
      return null;
    }
    String alias = Names.decode(table.getName());
    if (ctx.scope().alias(alias) == null) {
      throw fail(column, "references to columns outside the query's FROM clause", null);
    }
    aliases.add(alias);
    return null;
  }

  /** PostgreSQL 16+ prints column references of single-table queries without their alias. */
  private void unqualified(Column column) {
    String raw = column.getColumnName();
    if (!Names.isQuoted(raw) && SQL_VALUE_KEYWORDS.contains(Names.decode(raw))) {
      return;
    }
    TableRef only = ctx.scope().single();
    if (only == null) {
      throw fail(column, "unqualified column references in a query over several tables", null);
    }
    Span span = text.span(column);
    if (span == null) {
      throw PlanErrors.internal("no position for column " + column);
    }
    aliases.add(only.alias());
    qualifiers.put(span.from(), ctx.scope().qualifier(only));
  }

  @Override
  public <S> Void visit(AllTableColumns columns, S context) {
    seen.add(columns);
    String alias = Names.decode(columns.getTable().getName());
    if (ctx.scope().alias(alias) == null) {
      throw fail(columns, "references to columns outside the query's FROM clause", null);
    }
    aliases.add(alias);
    return null;
  }

  @Override
  public <S> Void visit(AllColumns columns, S context) {
    throw fail(columns, "* outside count(*)", null);
  }

  @Override
  public <S> Void visit(Function f, S context) {
    seen.add(f);
    FunctionName name = FunctionName.of(f);
    if (name.syntax()) {
      return super.visit(f, context);
    }
    FunctionKind kind = ctx.catalog().kind(name.qualified());
    switch (kind == null ? FunctionKind.UNKNOWN : kind) {
      case AGGREGATE:
        aggregate(f, name);
        return null;
      case WINDOW:
        throw fail(f, "window functions", null);
      case VOLATILE:
        throw fail(
            f,
            "volatile functions",
            "a volatile function may return something else on every call, so incrementally"
                + " maintained results would differ from a re-run of the query");
      case UNKNOWN:
        throw fail(
            f,
            "functions missing from the catalog",
            "cannot tell whether " + name.qualified() + "() is volatile");
      default:
        return super.visit(f, context);
    }
  }

  private void aggregate(Function f, FunctionName name) {
    Expression arg = AggregateRules.argument(f, name, clause, (what, why) -> fail(f, what, why));
    Span call = text.span(f);
    if (call == null) {
      throw PlanErrors.internal("no position for aggregate " + f);
    }
    SqlExpr argument = null;
    Map<Integer, String> argQualifiers = Map.of();
    if (arg != null) {
      Span argSpan = text.arguments(call);
      if (argSpan == null) {
        throw PlanErrors.internal("no argument text for aggregate " + f);
      }
      ExprAnalyzer inner = new ExprAnalyzer(ctx, Clause.AGGREGATE_ARGUMENT, seen);
      inner.walk(arg, argSpan);
      argQualifiers = inner.qualifiers;
      argument =
          new SqlExpr(text.render(text.stripParens(argSpan), argQualifiers), inner.aliases, false);
      aliases.addAll(inner.aliases);
      qualifiers.putAll(argQualifiers);
    }
    aggregates.add(
        new AggregateCall(name.name(), argument, false, text.render(call, argQualifiers)));
  }

  @Override
  public <S> Void visit(AnalyticExpression analytic, S context) {
    seen.add(analytic);
    AnalyticType type = analytic.getType();
    if (type == AnalyticType.FILTER_ONLY) {
      throw fail(analytic, "aggregates with FILTER", null);
    }
    if (type == AnalyticType.WITHIN_GROUP) {
      throw fail(analytic, "ordered-set aggregates (WITHIN GROUP)", null);
    }
    throw fail(analytic, "window functions", null);
  }

  // The adapter dereferences TRIM's optional parts unguarded.
  @Override
  public <S> Void visit(TrimFunction trim, S context) {
    if (trim.getExpression() != null) {
      trim.getExpression().accept(this, context);
    }
    if (trim.getFromExpression() != null) {
      trim.getFromExpression().accept(this, context);
    }
    return null;
  }

  @Override
  public <S> Void visit(ParenthesedSelect select, S context) {
    throw fail(select, "subqueries", null);
  }

  @Override
  public <S> Void visit(Select select, S context) {
    throw fail(select, "subqueries", null);
  }

  @Override
  public <S> Void visit(ExistsExpression exists, S context) {
    throw fail(exists, "EXISTS subqueries", null);
  }

  @Override
  public <S> Void visit(InExpression in, S context) {
    if (in.getRightExpression() instanceof Select) {
      throw fail(in, "IN (SELECT …) subqueries", null);
    }
    return super.visit(in, context);
  }

  @Override
  public <S> Void visit(AnyComparisonExpression any, S context) {
    if (any.getSelect() != null) {
      throw fail(any, "ANY/ALL (SELECT …) subqueries", null);
    }
    return super.visit(any, context);
  }

  @Override
  public <S> Void visit(NextValExpression nextval, S context) {
    throw fail(nextval, "volatile functions", null);
  }

  @Override
  public <S> Void visit(JdbcParameter parameter, S context) {
    throw fail(parameter, "query parameters", null);
  }

  @Override
  public <S> Void visit(JdbcNamedParameter parameter, S context) {
    throw fail(parameter, "query parameters", null);
  }

  @Override
  public <S> Void visit(NumericBind parameter, S context) {
    throw fail(parameter, "query parameters", null);
  }

  @Override
  public <S> Void visit(UserVariable variable, S context) {
    throw fail(variable, "variables", null);
  }
}
