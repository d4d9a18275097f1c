package io.pgtrickle.sql.plan;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.statement.select.OrderByElement;
import net.sf.jsqlparser.statement.select.PlainSelect;

/**
 * The translate pass: turns a SELECT block that passed {@link StatementCheck} into a {@link
 * QueryBlock}. The range table comes first, since every expression resolves against it; the clauses
 * then follow in the order they are written, so that of several problems the user hears about the
 * first one in the text, and aggregates are listed in order of appearance.
 */
final class QueryTranslator {
  private final PlainSelect s;
  private final PlanContext ctx;
  private final Set<AggregateCall> aggregates = new LinkedHashSet<>();

  private QueryTranslator(PlainSelect s, PlanContext ctx) {
    this.s = s;
    this.ctx = ctx;
  }

  /** The model of {@code select}. */
  static QueryBlock translate(
      PlainSelect select, CanonicalText text, FunctionCatalog catalog, ParseIndex index) {
    PlanContext ctx = new PlanContext(text, Scope.of(select, text), catalog, index);
    return new QueryTranslator(select, ctx).block();
  }

  private QueryBlock block() {
    Distinct distinct = distinct();
    List<SelectItem> select = new ArrayList<>();
    for (net.sf.jsqlparser.statement.select.SelectItem<?> item : s.getSelectItems()) {
      select.add(selectItem(item));
    }
    FromItem from = FromTranslator.translate(s, ctx);
    SqlExpr where = s.getWhere() == null ? null : ctx.analyze(s.getWhere(), Clause.WHERE).expr();
    List<SqlExpr> groupBy = new ArrayList<>();
    if (s.getGroupBy() != null && s.getGroupBy().getGroupByExpressionList() != null) {
      for (Expression e : s.getGroupBy().getGroupByExpressionList()) {
        groupBy.add(ctx.analyze(e, Clause.GROUP_BY).expr());
      }
    }
    SqlExpr having = s.getHaving() == null ? null : collect(s.getHaving(), Clause.HAVING);
    List<OrderItem> orderBy = new ArrayList<>();
    if (s.getOrderByElements() != null) {
      for (OrderByElement e : s.getOrderByElements()) {
        orderBy.add(orderItem(e));
      }
    }
    boolean aggregated = !groupBy.isEmpty() || having != null || !aggregates.isEmpty();
    return new QueryBlock(
        from,
        where,
        select,
        groupBy,
        aggregated,
        having,
        distinct,
        orderBy,
        List.copyOf(aggregates));
  }

  private Distinct distinct() {
    net.sf.jsqlparser.statement.select.Distinct d = s.getDistinct();
    if (d == null) {
      return Distinct.NONE;
    }
    if (d.isUseUnique() || d.isUseDistinctRow()) {
      throw PlanErrors.unsupported(ctx.text(), ctx.text().clause("select"), "this DISTINCT syntax");
    }
    if (d.getOnSelectItems() == null || d.getOnSelectItems().isEmpty()) {
      return Distinct.ALL;
    }
    List<SqlExpr> keys = new ArrayList<>();
    for (net.sf.jsqlparser.statement.select.SelectItem<?> key : d.getOnSelectItems()) {
      keys.add(collect(key.getExpression(), span(key), Clause.DISTINCT_ON));
    }
    return new Distinct.On(keys);
  }

  private SelectItem selectItem(net.sf.jsqlparser.statement.select.SelectItem<?> item) {
    Span span = span(item);
    if (item.getAlias() != null) {
      String alias = Names.decode(item.getAlias().getName());
      if (!ctx.text().token(span.to() - 1).value().equals(alias)) {
        throw PlanErrors.internal("select item " + item + " does not end with its alias");
      }
      span = ctx.text().dropAlias(span);
    }
    return new SelectItem(collect(item.getExpression(), span, Clause.SELECT), OutputNames.of(item));
  }

  private OrderItem orderItem(OrderByElement e) {
    SqlExpr expr = collect(e.getExpression(), Clause.ORDER_BY);
    Boolean nullsFirst =
        e.getNullOrdering() == null
            ? null
            : e.getNullOrdering() == OrderByElement.NullOrdering.NULLS_FIRST;
    return new OrderItem(expr, !e.isAsc(), nullsFirst);
  }

  private Span span(Object jsqlObject) {
    Span span = ctx.text().span(jsqlObject);
    if (span == null) {
      throw PlanErrors.internal("no position for " + jsqlObject);
    }
    return span;
  }

  private SqlExpr collect(Expression e, Clause clause) {
    return collect(e, span(e), clause);
  }

  /** Analyzes an expression that may call aggregates and records its calls. */
  private SqlExpr collect(Expression e, Span span, Clause clause) {
    ExprAnalyzer.Result r = ExprAnalyzer.analyze(e, span, clause, ctx);
    aggregates.addAll(r.aggregates());
    return r.expr();
  }
}
