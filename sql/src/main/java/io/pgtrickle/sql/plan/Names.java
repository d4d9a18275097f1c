package io.pgtrickle.sql.plan;

import io.pgtrickle.errors.PgTrickleException;
import io.pgtrickle.sql.lex.Identifiers;
import io.pgtrickle.sql.lex.SqlLexer;
import io.pgtrickle.sql.lex.Token;
import io.pgtrickle.sql.lex.TokenKind;
import java.util.List;

/**
 * Decodes identifiers as JSqlParser hands them over (raw, quotes included) with our lexer's rules,
 * so {@code Orders} folds to {@code orders} and {@code "Order Items"} keeps its case and blank.
 */
final class Names {
  private Names() {}

  /** The identifier's value; {@code raw} must be exactly one (possibly quoted) identifier. */
  static String decode(String raw) {
    Token t = single(raw);
    if (t == null) {
      throw PlanErrors.internal("not an identifier: " + raw);
    }
    return t.value();
  }

  /** Whether {@code raw} is written in double quotes. */
  static boolean isQuoted(String raw) {
    Token t = single(raw);
    return t != null && t.is(TokenKind.QUOTED_IDENTIFIER);
  }

  /**
   * {@code raw} as a qualifier for generated SQL: as pg_get_viewdef printed it when that was a
   * plain lower-case word (PostgreSQL already decided it needs no quotes), otherwise quoted.
   */
  static String qualifier(String raw) {
    String value = decode(raw);
    return isQuoted(raw) ? Identifiers.quote(value) : value;
  }

  private static Token single(String raw) {
    if (raw == null) {
      return null;
    }
    try {
      List<Token> tokens = SqlLexer.tokenize(raw, false);
      if (tokens.size() != 1) {
        return null;
      }
      Token t = tokens.get(0);
      return t.is(TokenKind.IDENTIFIER) || t.is(TokenKind.QUOTED_IDENTIFIER) ? t : null;
    } catch (PgTrickleException e) {
      return null;
    }
  }
}
