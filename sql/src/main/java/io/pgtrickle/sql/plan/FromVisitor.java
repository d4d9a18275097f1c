package io.pgtrickle.sql.plan;

/** An operation over the FROM tree, one method per node type. */
public interface FromVisitor<R> {
  /** Visits a table reference. */
  R visitTable(TableRef table);

  /** Visits a join; the visitor decides whether and in which order to visit the inputs. */
  R visitJoin(JoinNode join);
}
