package io.pgtrickle.sql.plan;

import java.util.ArrayList;
import java.util.List;

/** A node of the FROM tree: a table reference or a join of two such nodes. */
public sealed interface FromItem permits TableRef, JoinNode {
  /** Dispatches to the visitor method for this node's type. */
  <R> R accept(FromVisitor<R> visitor);

  /** The table references under this node, left to right. */
  default List<TableRef> tables() {
    List<TableRef> out = new ArrayList<>();
    accept(
        new FromVisitor<Void>() {
          @Override
          public Void visitTable(TableRef table) {
            out.add(table);
            return null;
          }

          @Override
          public Void visitJoin(JoinNode join) {
            join.left().accept(this);
            join.right().accept(this);
            return null;
          }
        });
    return List.copyOf(out);
  }
}
