package io.pgtrickle.sql.plan;

/** The join types DIFFERENTIAL maintenance supports. */
public enum JoinType {
  /** An inner join; also comma-separated FROM items and CROSS JOIN, which have no condition. */
  INNER,
  /** A left outer join. */
  LEFT
}
