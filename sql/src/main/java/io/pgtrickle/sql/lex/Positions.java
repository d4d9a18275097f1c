package io.pgtrickle.sql.lex;

/** Converts offsets in a Java string into the 1-based character positions PostgreSQL reports. */
public final class Positions {
  private Positions() {}

  /**
   * The 1-based position of {@code offset}, counted in code points as PostgreSQL counts characters,
   * so that a client's caret lands on the right character even after an emoji.
   */
  public static int of(String sql, int offset) {
    return sql.codePointCount(0, Math.min(offset, sql.length())) + 1;
  }
}
