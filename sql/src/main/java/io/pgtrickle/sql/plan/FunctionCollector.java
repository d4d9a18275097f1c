package io.pgtrickle.sql.plan;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import net.sf.jsqlparser.expression.AnalyticExpression;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.ExpressionVisitorAdapter;
import net.sf.jsqlparser.expression.Function;
import net.sf.jsqlparser.parser.ASTNodeAccess;
import net.sf.jsqlparser.parser.Node;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.select.Join;
import net.sf.jsqlparser.statement.select.OrderByElement;
import net.sf.jsqlparser.statement.select.ParenthesedSelect;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.SelectItem;
import net.sf.jsqlparser.statement.select.TableFunction;

/**
 * Collects the names of the functions a statement calls, for the engine to classify before it
 * plans. Two sweeps make the list complete and consistent with the planner: JSqlParser's syntax
 * tree holds every call its function production parsed, in CTEs and subqueries too; the planner's
 * own expression traversal, repeated here over the top-level clauses, also finds calls JSqlParser
 * built some other way. So the planner never asks the catalog about a name this missed.
 */
final class FunctionCollector extends ExpressionVisitorAdapter<Void> {
  private final Set<String> names = new TreeSet<>();

  /** Bare ROLLUP(...) and CUBE(...) items of GROUP BY: grouping syntax, not calls. */
  private final Set<Object> groupingConstructs = Collections.newSetFromMap(new IdentityHashMap<>());

  private FunctionCollector() {}

  /** The sorted, decoded names ({@code name} or {@code schema.name}) of the called functions. */
  static Set<String> collect(Statement statement) {
    FunctionCollector c = new FunctionCollector();
    if (statement instanceof PlainSelect select) {
      c.noteGroupingConstructs(select);
      c.sweepClauses(select);
    }
    c.sweepTree(statement);
    return Collections.unmodifiableSet(c.names);
  }

  private void noteGroupingConstructs(PlainSelect select) {
    if (select.getGroupBy() == null || select.getGroupBy().getGroupByExpressionList() == null) {
      return;
    }
    for (Expression e : select.getGroupBy().getGroupByExpressionList()) {
      if (e instanceof Function f
          && f.getMultipartName().size() == 1
          && !Names.isQuoted(f.getName())
          && List.of("rollup", "cube").contains(Names.decode(f.getName()))) {
        groupingConstructs.add(f);
      }
    }
  }

  private void sweepTree(Statement statement) {
    if (!(statement instanceof ASTNodeAccess access) || access.getASTNode() == null) {
      return;
    }
    Node root = access.getASTNode();
    while (root.jjtGetParent() != null) {
      root = root.jjtGetParent();
    }
    Deque<Node> pending = new ArrayDeque<>(List.of(root));
    while (!pending.isEmpty()) {
      Node node = pending.pop();
      Object value = node.jjtGetValue();
      // A FROM item's TableFunction wraps the call, which has a node of its own.
      if (value instanceof Function f && !(value instanceof TableFunction)) {
        add(f);
      } else if (value instanceof AnalyticExpression a) {
        addAnalytic(a);
      }
      for (int i = 0; i < node.jjtGetNumChildren(); i++) {
        pending.push(node.jjtGetChild(i));
      }
    }
  }

  private void sweepClauses(PlainSelect s) {
    if (s.getDistinct() != null && s.getDistinct().getOnSelectItems() != null) {
      s.getDistinct().getOnSelectItems().forEach(this::visitItem);
    }
    s.getSelectItems().forEach(this::visitItem);
    if (s.getFromItem() instanceof TableFunction tf) {
      tf.getFunction().accept(this, null);
    }
    if (s.getJoins() != null) {
      for (Join j : s.getJoins()) {
        if (j.getRightItem() instanceof TableFunction tf) {
          tf.getFunction().accept(this, null);
        }
        if (j.getOnExpressions() != null) {
          j.getOnExpressions().forEach(this::visitExpression);
        }
      }
    }
    visitExpression(s.getWhere());
    if (s.getGroupBy() != null && s.getGroupBy().getGroupByExpressionList() != null) {
      s.getGroupBy().getGroupByExpressionList().forEach(this::visitExpression);
    }
    visitExpression(s.getHaving());
    if (s.getOrderByElements() != null) {
      for (OrderByElement e : s.getOrderByElements()) {
        visitExpression(e.getExpression());
      }
    }
  }

  private void visitItem(SelectItem<?> item) {
    visitExpression(item.getExpression());
  }

  private void visitExpression(Expression e) {
    if (e != null) {
      e.accept(this, null);
    }
  }

  private void add(Function f) {
    if (groupingConstructs.contains(f)) {
      return;
    }
    FunctionName name = FunctionName.of(f);
    if (!name.syntax()) {
      names.add(name.qualified());
    }
  }

  private void addAnalytic(AnalyticExpression a) {
    Function f = new Function();
    f.setName(a.getName());
    add(f);
  }

  @Override
  public <S> Void visit(Function f, S context) {
    add(f);
    return super.visit(f, context);
  }

  @Override
  public <S> Void visit(AnalyticExpression a, S context) {
    addAnalytic(a);
    return super.visit(a, context);
  }

  // Subqueries are covered by the syntax-tree sweep.
  @Override
  public <S> Void visit(ParenthesedSelect select, S context) {
    return null;
  }

  @Override
  public <S> Void visit(Select select, S context) {
    return null;
  }
}
