package io.pgtrickle.sql.lex;

import io.pgtrickle.errors.PgTrickleException;
import io.pgtrickle.errors.SqlState;

/**
 * Character classes and skipping rules from PostgreSQL's scanner, shared by the lexer and by the
 * allocation-free scans in {@link Statements}. Methods that find an end return -1 when the
 * construct is unterminated, so each caller decides whether that is an error.
 */
final class Scan {
  /** How much of the remaining input an "at or near" message quotes. */
  private static final int NEAR_LIMIT = 40;

  private Scan() {}

  /** PostgreSQL's {@code space}: blank, tab, newline, carriage return, form feed, vertical tab. */
  static boolean isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\u000B';
  }

  static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  static boolean isAsciiLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  /** Any non-ASCII character may start an identifier, as PostgreSQL treats high-bit bytes. */
  static boolean isIdentStart(char c) {
    return isAsciiLetter(c) || c == '_' || c >= 0x80;
  }

  static boolean isIdentCont(char c) {
    return isIdentStart(c) || isDigit(c) || c == '$';
  }

  /** The characters PostgreSQL builds operators from. */
  static boolean isOpChar(char c) {
    return "~!@#^&|`?+-*/%<>=".indexOf(c) >= 0;
  }

  /** Lower-cases ASCII letters only, as PostgreSQL folds identifiers in UTF-8 databases. */
  static String foldCase(String word) {
    for (int i = 0; i < word.length(); i++) {
      char c = word.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        char[] chars = word.toCharArray();
        for (int j = i; j < chars.length; j++) {
          if (chars[j] >= 'A' && chars[j] <= 'Z') {
            chars[j] += 'a' - 'A';
          }
        }
        return new String(chars);
      }
    }
    return word;
  }

  /** The offset of the newline ending a {@code --} comment that starts at {@code i}, or the end. */
  static int lineCommentEnd(String s, int i) {
    int n = s.length();
    int j = i + 2;
    while (j < n && s.charAt(j) != '\n' && s.charAt(j) != '\r') {
      j++;
    }
    return j;
  }

  /**
   * The offset after the {@code *}{@code /} closing a (nested) block comment at {@code i}, or -1.
   */
  static int blockCommentEnd(String s, int i) {
    int n = s.length();
    int depth = 0;
    int j = i;
    while (j + 1 < n) {
      char c = s.charAt(j);
      char d = s.charAt(j + 1);
      if (c == '/' && d == '*') {
        depth++;
        j += 2;
      } else if (c == '*' && d == '/') {
        j += 2;
        if (--depth == 0) {
          return j;
        }
      } else {
        j++;
      }
    }
    return -1;
  }

  /**
   * If a dollar-quote delimiter ({@code $$} or {@code $tag$}) starts at {@code i}, the offset just
   * after it; otherwise -1. Tags follow identifier rules but may not contain {@code $}.
   */
  static int dollarTagEnd(String s, int i) {
    int n = s.length();
    int j = i + 1;
    if (j < n && s.charAt(j) == '$') {
      return j + 1;
    }
    if (j >= n || !isIdentStart(s.charAt(j))) {
      return -1;
    }
    j++;
    while (j < n && s.charAt(j) != '$') {
      char c = s.charAt(j);
      if (!isIdentStart(c) && !isDigit(c)) {
        return -1;
      }
      j++;
    }
    return j < n ? j + 1 : -1;
  }

  /**
   * PostgreSQL joins {@code 'a'} and {@code 'b'} into one literal when only whitespace containing a
   * newline (and {@code --} comments) separates them. Given the offset after a closing quote,
   * returns the offset of the continuing opening quote, or -1.
   */
  static int continuation(String s, int i) {
    int n = s.length();
    boolean newline = false;
    int j = i;
    while (j < n) {
      char c = s.charAt(j);
      if (c == '\n' || c == '\r') {
        newline = true;
        j++;
      } else if (c == ' ' || c == '\t' || c == '\f' || c == '\u000B') {
        j++;
      } else if (c == '-' && j + 1 < n && s.charAt(j + 1) == '-') {
        j = lineCommentEnd(s, j);
      } else {
        break;
      }
    }
    return newline && j < n && s.charAt(j) == '\'' ? j : -1;
  }

  /**
   * A syntax error "{@code message} at or near "{@code rest of input}"" positioned at {@code at}.
   */
  static PgTrickleException errorNear(String message, String sql, int at) {
    return PgTrickleException.builder(
            SqlState.SYNTAX_ERROR, message + " at or near " + near(sql, at))
        .position(Positions.of(sql, at))
        .build();
  }

  /** A syntax error quoting just the token {@code [start, end)}, as the parser's errors do. */
  static PgTrickleException errorAtToken(String message, String sql, int start, int end) {
    return PgTrickleException.builder(
            SqlState.SYNTAX_ERROR, message + " at or near \"" + sql.substring(start, end) + "\"")
        .position(Positions.of(sql, start))
        .build();
  }

  /** A syntax error without the "at or near" part, positioned at {@code at}. */
  static PgTrickleException error(String message, String hint, String sql, int at) {
    return PgTrickleException.builder(SqlState.SYNTAX_ERROR, message)
        .hint(hint)
        .position(Positions.of(sql, at))
        .build();
  }

  private static String near(String sql, int at) {
    int end = Math.min(sql.length(), at + NEAR_LIMIT);
    String rest = sql.substring(at, end);
    return "\"" + rest + (end < sql.length() ? "...\"" : "\"");
  }
}
