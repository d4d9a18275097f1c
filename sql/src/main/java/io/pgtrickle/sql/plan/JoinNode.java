package io.pgtrickle.sql.plan;

import java.util.Objects;

/**
 * A join of two FROM nodes. Comma-separated items and CROSS JOIN become INNER joins without a
 * condition, nested left-deep in the order written.
 *
 * @param type the join type
 * @param left the left input
 * @param right the right input
 * @param condition the ON condition, or null for a cross join (only with {@link JoinType#INNER})
 */
public record JoinNode(JoinType type, FromItem left, FromItem right, SqlExpr condition)
    implements FromItem {
  public JoinNode {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(left, "left");
    Objects.requireNonNull(right, "right");
    if (condition == null && type != JoinType.INNER) {
      throw new IllegalArgumentException(type + " join needs a condition");
    }
  }

  @Override
  public <R> R accept(FromVisitor<R> visitor) {
    return visitor.visitJoin(this);
  }
}
