package io.pgtrickle.sql.plan;

import java.util.Collection;
import java.util.List;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.select.Join;
import net.sf.jsqlparser.statement.select.ParenthesedFromItem;
import net.sf.jsqlparser.statement.select.PlainSelect;

/**
 * The second FROM pass: folds the FROM items and joins into a left-deep tree of {@link JoinNode}s,
 * reading each ON condition against the complete range table {@link Scope} built first.
 */
final class FromTranslator {
  private final PlanContext ctx;

  private FromTranslator(PlanContext ctx) {
    this.ctx = ctx;
  }

  /** The FROM tree of {@code select}. */
  static FromItem translate(PlainSelect select, PlanContext ctx) {
    return new FromTranslator(ctx).fold(select.getFromItem(), select.getJoins());
  }

  private FromItem fold(net.sf.jsqlparser.statement.select.FromItem first, List<Join> joins) {
    FromItem tree = item(first);
    if (joins != null) {
      for (Join join : joins) {
        tree = join(tree, join);
      }
    }
    return tree;
  }

  private FromItem item(net.sf.jsqlparser.statement.select.FromItem item) {
    if (item instanceof Table table) {
      return ctx.scope().table(table);
    }
    if (item instanceof ParenthesedFromItem nested) {
      return fold(nested.getFromItem(), nested.getJoins());
    }
    // Scope rejected every other kind of FROM item already.
    throw PlanErrors.internal("unexpected FROM item " + item);
  }

  private FromItem join(FromItem left, Join join) {
    String unsupported = unsupportedKind(join);
    if (unsupported != null) {
      throw PlanErrors.unsupported(ctx.text(), join, unsupported, null);
    }
    FromItem right = item(join.getRightItem());
    Collection<Expression> on = join.getOnExpressions();
    int conditions = on == null ? 0 : on.size();
    if (join.isSimple() || join.isCross()) {
      if (conditions > 0) {
        throw PlanErrors.unsupported(ctx.text(), join, "this join syntax", null);
      }
      return new JoinNode(JoinType.INNER, left, right, null);
    }
    if (conditions != 1) {
      throw PlanErrors.unsupported(ctx.text(), join, "joins without ON", null);
    }
    SqlExpr condition = ctx.analyze(on.iterator().next(), Clause.JOIN_ON).expr();
    return new JoinNode(join.isLeft() ? JoinType.LEFT : JoinType.INNER, left, right, condition);
  }

  private static String unsupportedKind(Join j) {
    if (j.isNatural()) {
      return "NATURAL joins";
    }
    if (j.getUsingColumns() != null && !j.getUsingColumns().isEmpty()) {
      return "JOIN … USING";
    }
    if (j.isRight()) {
      return "RIGHT joins";
    }
    if (j.isFull()) {
      return "FULL joins";
    }
    if (j.isSemi()
        || j.isApply()
        || j.isStraight()
        || j.isWindowJoin()
        || j.isGlobal()
        || j.isAsOf()
        || j.isAny()
        || j.isAll()
        || j.isArray()
        || j.isFetch()) {
      return "this join type";
    }
    return null;
  }
}
