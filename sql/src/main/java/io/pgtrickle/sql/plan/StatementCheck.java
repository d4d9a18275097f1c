package io.pgtrickle.sql.plan;

import java.util.List;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.Function;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.select.GroupByElement;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.SetOperationList;
import net.sf.jsqlparser.statement.select.Values;

/**
 * The first pass: rejects what lies outside a single SELECT block (WITH, set operations, LIMIT, row
 * locking, WINDOW, grouping sets) before anything is translated.
 */
final class StatementCheck {
  private final CanonicalText text;

  private StatementCheck(CanonicalText text) {
    this.text = text;
  }

  /** The statement's only SELECT block. */
  static PlainSelect check(Statement statement, CanonicalText text) {
    return new StatementCheck(text).select(statement);
  }

  private PlainSelect select(Statement statement) {
    if (!(statement instanceof Select select)) {
      throw PlanErrors.unsupported(text, text.whole(), "statements other than SELECT");
    }
    if (select.getWithItemsList() != null && !select.getWithItemsList().isEmpty()) {
      throw PlanErrors.unsupported(text, text.clause("with"), "WITH (common table expressions)");
    }
    if (select instanceof SetOperationList) {
      throw PlanErrors.unsupported(
          text, setOperation(), "set operations (UNION, INTERSECT, EXCEPT)");
    }
    if (select instanceof Values) {
      throw PlanErrors.unsupported(text, text.whole(), "VALUES lists");
    }
    if (!(select instanceof PlainSelect plain)) {
      throw PlanErrors.unsupported(text, text.whole(), "this form of query");
    }
    clauses(plain);
    groupBy(plain.getGroupBy());
    return plain;
  }

  private void clauses(PlainSelect s) {
    if (s.getLimit() != null) {
      throw PlanErrors.unsupported(text, text.clause("limit"), "LIMIT");
    }
    if (s.getOffset() != null) {
      throw PlanErrors.unsupported(text, text.clause("offset"), "OFFSET");
    }
    if (s.getFetch() != null) {
      throw PlanErrors.unsupported(text, text.clause("fetch"), "FETCH FIRST");
    }
    if (s.getForMode() != null || s.getForUpdateTable() != null || s.getForClause() != null) {
      throw PlanErrors.unsupported(text, text.clause("for"), "row locking (FOR UPDATE/SHARE)");
    }
    if (s.getWindowDefinitions() != null && !s.getWindowDefinitions().isEmpty()) {
      throw PlanErrors.unsupported(text, text.clause("window"), "window functions");
    }
    if (s.getIntoTables() != null || s.getIntoTempTable() != null) {
      throw PlanErrors.unsupported(text, text.clause("into"), "SELECT INTO");
    }
    // Dialect clauses PostgreSQL never prints; rejected wholesale in case JSqlParser finds one.
    if (s.getTop() != null
        || s.getFirst() != null
        || s.getSkip() != null
        || s.getQualify() != null
        || s.getOracleHierarchical() != null
        || s.getPreferringClause() != null
        || s.getLateralViews() != null
        || s.getKsqlWindow() != null
        || s.getLimitBy() != null) {
      throw PlanErrors.unsupported(text, text.whole(), "this SELECT clause");
    }
    if (s.getFromItem() == null) {
      throw PlanErrors.unsupported(
          text, text.whole(), "queries without FROM", "there is no table whose changes to follow");
    }
  }

  private void groupBy(GroupByElement g) {
    if (g == null) {
      return;
    }
    if (g.getGroupingSets() != null && !g.getGroupingSets().isEmpty()) {
      throw PlanErrors.unsupported(text, text.clause("group"), "GROUPING SETS");
    }
    if (g.isMysqlWithRollup()) {
      throw PlanErrors.unsupported(text, text.clause("group"), "WITH ROLLUP");
    }
    List<Expression> items = g.getGroupByExpressionList();
    if (items == null) {
      return;
    }
    for (Expression e : items) {
      // pg_get_viewdef parenthesizes every function call in GROUP BY, so a bare rollup(...) or
      // cube(...) there is the grouping construct, not a function.
      if (e instanceof Function f
          && f.getMultipartName().size() == 1
          && !Names.isQuoted(f.getName())
          && (Names.decode(f.getName()).equals("rollup")
              || Names.decode(f.getName()).equals("cube"))) {
        throw PlanErrors.unsupported(text, text.span(f), "ROLLUP and CUBE");
      }
    }
  }

  private Span setOperation() {
    for (String op : List.of("union", "intersect", "except")) {
      Span s = text.clause(op);
      if (s != null) {
        return s;
      }
    }
    return text.whole();
  }
}
