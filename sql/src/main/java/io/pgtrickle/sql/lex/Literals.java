package io.pgtrickle.sql.lex;

import io.pgtrickle.errors.PgTrickleException;

/**
 * Lexes the quoted constructs: string constants in all their prefixes, quoted identifiers and
 * dollar-quoted strings. Each method receives the token's start (where a prefix such as {@code E}
 * begins) and the offset of its opening quote, and returns the finished token.
 */
final class Literals {
  /** How a quoted body treats quotes and backslashes. */
  enum Flavor {
    /** {@code '...'}: {@code ''} is a quote, backslash is an ordinary character. */
    STANDARD,
    /** {@code E'...'}: as standard, and a backslash escapes the next character. */
    ESCAPE,
    /** {@code B'...'} and {@code X'...'}: the first quote ends the body. */
    BIT
  }

  private Literals() {}

  /** A string constant of the given flavor; its value is the body, undoubled but not unescaped. */
  static Token quoted(String sql, int start, int quote, Flavor flavor, String unterminated)
      throws PgTrickleException {
    int n = sql.length();
    StringBuilder body = new StringBuilder();
    int i = quote + 1;
    while (true) {
      if (i >= n) {
        throw Scan.errorNear(unterminated, sql, start);
      }
      char c = sql.charAt(i);
      if (c == '\'') {
        if (flavor != Flavor.BIT && i + 1 < n && sql.charAt(i + 1) == '\'') {
          body.append('\'');
          i += 2;
          continue;
        }
        int next = Scan.continuation(sql, i + 1);
        if (next < 0) {
          TokenKind kind = flavor == Flavor.BIT ? TokenKind.BIT_STRING : TokenKind.STRING;
          return new Token(kind, sql.substring(start, i + 1), body.toString(), start, i + 1);
        }
        i = next + 1;
      } else if (c == '\\' && flavor == Flavor.ESCAPE) {
        if (i + 1 >= n) {
          throw Scan.errorNear(unterminated, sql, start);
        }
        // Keep the pair for the decoder; \' must not close the string.
        body.append(c).append(sql.charAt(i + 1));
        i += 2;
      } else {
        body.append(c);
        i++;
      }
    }
  }

  /** An {@code E'...'} string with its escapes decoded. */
  static Token escapeString(String sql, int start, int quote) throws PgTrickleException {
    Token raw = quoted(sql, start, quote, Flavor.ESCAPE, "unterminated quoted string");
    String value = EscapeDecoder.decodeEscapeString(raw.value(), sql, start);
    return new Token(TokenKind.STRING, raw.text(), value, start, raw.end());
  }

  /** A {@code "..."} identifier; {@code ""} stands for one quote and the case is kept. */
  static Token quotedIdentifier(String sql, int start, int quote) throws PgTrickleException {
    int n = sql.length();
    StringBuilder value = new StringBuilder();
    int i = quote + 1;
    while (true) {
      if (i >= n) {
        throw Scan.errorNear("unterminated quoted identifier", sql, start);
      }
      char c = sql.charAt(i);
      if (c == '"') {
        if (i + 1 < n && sql.charAt(i + 1) == '"') {
          value.append('"');
          i += 2;
          continue;
        }
        if (value.length() == 0) {
          throw Scan.errorAtToken("zero-length delimited identifier", sql, start, i + 1);
        }
        return new Token(
            TokenKind.QUOTED_IDENTIFIER,
            sql.substring(start, i + 1),
            value.toString(),
            start,
            i + 1);
      }
      value.append(c);
      i++;
    }
  }

  /**
   * A {@code $tag$...$tag$} string whose opening delimiter ends at {@code tagEnd}; kept verbatim.
   */
  static Token dollarString(String sql, int start, int tagEnd) throws PgTrickleException {
    String tag = sql.substring(start, tagEnd);
    int close = sql.indexOf(tag, tagEnd);
    if (close < 0) {
      throw Scan.errorNear("unterminated dollar-quoted string", sql, start);
    }
    int end = close + tag.length();
    return new Token(
        TokenKind.STRING, sql.substring(start, end), sql.substring(tagEnd, close), start, end);
  }

  /**
   * A {@code U&'...'} string or {@code U&"..."} identifier starting at {@code start}, with an
   * optional {@code UESCAPE 'c'} clause, which becomes part of the token.
   */
  static Token unicode(String sql, int start, boolean identifier) throws PgTrickleException {
    int quote = start + 2;
    Token raw =
        identifier
            ? quotedIdentifier(sql, start, quote)
            : quoted(sql, start, quote, Flavor.STANDARD, "unterminated quoted string");
    int end = raw.end();
    char escape = '\\';
    int word = skipSpaceAndComments(sql, end);
    if (word >= 0 && isWordAt(sql, word, "uescape")) {
      int lit = skipSpaceAndComments(sql, word + 7);
      if (lit < 0
          || lit + 2 >= sql.length()
          || sql.charAt(lit) != '\''
          || sql.charAt(lit + 2) != '\'') {
        throw Scan.errorNear("UESCAPE must be followed by a simple string literal", sql, word);
      }
      escape = sql.charAt(lit + 1);
      if (Character.digit(escape, 16) >= 0
          || escape == '+'
          || escape == '\''
          || escape == '"'
          || Scan.isSpace(escape)) {
        throw Scan.errorNear("invalid Unicode escape character", sql, lit);
      }
      end = lit + 3;
    }
    String value = EscapeDecoder.decodeUnicode(raw.value(), escape, sql, start);
    return new Token(raw.kind(), sql.substring(start, end), value, start, end);
  }

  /** The offset of the next token after whitespace and comments, or -1 at the end of input. */
  private static int skipSpaceAndComments(String sql, int i) {
    int n = sql.length();
    while (i < n) {
      char c = sql.charAt(i);
      if (Scan.isSpace(c)) {
        i++;
      } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
        i = Scan.lineCommentEnd(sql, i);
      } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
        i = Scan.blockCommentEnd(sql, i);
        if (i < 0) {
          return -1;
        }
      } else {
        return i;
      }
    }
    return -1;
  }

  private static boolean isWordAt(String sql, int i, String lowerWord) {
    int end = i + lowerWord.length();
    return sql.regionMatches(true, i, lowerWord, 0, lowerWord.length())
        && (end >= sql.length() || !Scan.isIdentCont(sql.charAt(end)));
  }
}
