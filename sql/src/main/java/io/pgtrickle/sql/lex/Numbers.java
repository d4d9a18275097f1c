package io.pgtrickle.sql.lex;

/**
 * Lexes numeric constants as PostgreSQL 16 does: decimal integers, {@code 0x}, {@code 0o} and
 * {@code 0b} integers, decimals ({@code 1.5}, {@code .5}, {@code 1.}) and exponents, with single
 * underscores allowed between digits ({@code 1_000}).
 */
final class Numbers {
  private Numbers() {}

  /** The number starting at {@code start}, which is a digit or a dot followed by a digit. */
  static Token lex(String sql, int start) {
    int n = sql.length();
    int i = start;
    if (sql.charAt(i) == '0' && i + 1 < n) {
      char p = Character.toLowerCase(sql.charAt(i + 1));
      int radix = p == 'x' ? 16 : p == 'o' ? 8 : p == 'b' ? 2 : 0;
      int first = i + 2 < n && sql.charAt(i + 2) == '_' ? i + 3 : i + 2;
      if (radix > 0 && first < n && isDigit(sql.charAt(first), radix)) {
        return token(sql, start, digits(sql, first, radix));
      }
    }
    if (Scan.isDigit(sql.charAt(i))) {
      i = digits(sql, i, 10);
    }
    // "1..10" is an integer followed by "..", which PL/pgSQL uses for ranges.
    if (i < n && sql.charAt(i) == '.' && !(i + 1 < n && sql.charAt(i + 1) == '.')) {
      i++;
      if (i < n && Scan.isDigit(sql.charAt(i))) {
        i = digits(sql, i, 10);
      }
    }
    if (i < n && (sql.charAt(i) == 'e' || sql.charAt(i) == 'E')) {
      int j = i + 1;
      if (j < n && (sql.charAt(j) == '+' || sql.charAt(j) == '-')) {
        j++;
      }
      if (j < n && Scan.isDigit(sql.charAt(j))) {
        i = digits(sql, j, 10);
      }
    }
    return token(sql, start, i);
  }

  /** The end of a run of digits in which single underscores may separate digits. */
  private static int digits(String sql, int i, int radix) {
    int n = sql.length();
    int j = i + 1;
    while (j < n) {
      char c = sql.charAt(j);
      if (isDigit(c, radix)) {
        j++;
      } else if (c == '_' && j + 1 < n && isDigit(sql.charAt(j + 1), radix)) {
        j += 2;
      } else {
        break;
      }
    }
    return j;
  }

  /** An ASCII digit of the radix; Character.digit would also accept, say, Arabic-Indic digits. */
  private static boolean isDigit(char c, int radix) {
    return c < 0x80 && Character.digit(c, radix) >= 0;
  }

  private static Token token(String sql, int start, int end) {
    String text = sql.substring(start, end);
    return new Token(TokenKind.NUMBER, text, text.replace("_", ""), start, end);
  }
}
