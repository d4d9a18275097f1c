package io.pgtrickle.sql.lex;

import io.pgtrickle.errors.PgTrickleException;
import java.util.List;

/** Conversions between JDBC's {@code ?} parameter markers and PostgreSQL's numbered {@code $n}. */
public final class Placeholders {
  private Placeholders() {}

  /**
   * {@code sql} with each JDBC {@code ?} marker replaced by {@code $1, $2, ...} in order, as the
   * extended query protocol needs; a {@code ?} inside a literal, a quoted identifier, a comment or
   * an escaped {@code ??} (as pgjdbc reads it: {@code ?|} is a marker followed by {@code |}) is
   * left alone.
   *
   * @throws PgTrickleException SYNTAX_ERROR if the text does not lex
   */
  public static String toNumbered(String sql) throws PgTrickleException {
    if (sql.indexOf('?') < 0) {
      return sql;
    }
    List<Token> tokens = SqlLexer.tokenize(sql, true);
    StringBuilder out = new StringBuilder(sql.length() + 8);
    int copied = 0;
    for (Token t : tokens) {
      if (t.is(TokenKind.PARAMETER) && t.text().equals("?")) {
        out.append(sql, copied, t.start()).append('$').append(t.value());
        copied = t.end();
      }
    }
    return out.append(sql, copied, sql.length()).toString();
  }

  /**
   * The highest {@code $n} that {@code sql} mentions outside literals and comments, or 0; text that
   * does not lex counts as mentioning none (PostgreSQL will report its error).
   */
  public static int maxNumbered(String sql) {
    if (sql.indexOf('$') < 0) {
      return 0;
    }
    int max = 0;
    try {
      for (Token t : SqlLexer.tokenize(sql, false)) {
        if (t.is(TokenKind.PARAMETER)) {
          max = Math.max(max, Integer.parseInt(t.value()));
        }
      }
    } catch (PgTrickleException | NumberFormatException e) {
      return 0;
    }
    return max;
  }
}
