package io.pgtrickle.sql.lex;

import io.pgtrickle.errors.PgTrickleException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Splits SQL text into {@link Token}s by PostgreSQL's lexical rules, skipping whitespace and
 * (nested) comments. In JDBC mode a bare {@code ?} is a parameter and {@code ??} stands for a
 * literal {@code ?} operator character, as pgjdbc defines; otherwise {@code ?} is an operator
 * character like any other, so jsonb's {@code ?|} lexes as one operator.
 */
public final class SqlLexer {
  private final String sql;
  private final boolean jdbc;
  private final int n;
  private final List<Token> tokens = new ArrayList<>();
  private int pos;
  private int jdbcParameters;

  private SqlLexer(String sql, boolean jdbc) {
    this.sql = sql;
    this.jdbc = jdbc;
    this.n = sql.length();
  }

  /**
   * Tokenizes {@code sql}.
   *
   * @param jdbcPlaceholders whether a bare {@code ?} is a JDBC parameter (numbered 1..n in order)
   * @throws PgTrickleException SYNTAX_ERROR for an unterminated string, quoted identifier,
   *     dollar-quoted string or comment, a bad escape, or a character that cannot start a token
   */
  public static List<Token> tokenize(String sql, boolean jdbcPlaceholders)
      throws PgTrickleException {
    Objects.requireNonNull(sql, "sql");
    SqlLexer lexer = new SqlLexer(sql, jdbcPlaceholders);
    while (lexer.skipSpaceAndComments()) {
      Token t = lexer.next();
      lexer.tokens.add(t);
      lexer.pos = t.end();
    }
    return List.copyOf(lexer.tokens);
  }

  /** Advances past blanks and comments; returns whether a token follows. */
  private boolean skipSpaceAndComments() throws PgTrickleException {
    while (pos < n) {
      char c = sql.charAt(pos);
      if (Scan.isSpace(c)) {
        pos++;
      } else if (c == '-' && at(pos + 1) == '-') {
        pos = Scan.lineCommentEnd(sql, pos);
      } else if (c == '/' && at(pos + 1) == '*') {
        int end = Scan.blockCommentEnd(sql, pos);
        if (end < 0) {
          throw Scan.errorNear("unterminated /* comment", sql, pos);
        }
        pos = end;
      } else {
        return true;
      }
    }
    return false;
  }

  private Token next() throws PgTrickleException {
    int start = pos;
    char c = sql.charAt(start);
    char c1 = at(start + 1);
    switch (c) {
      case '\'':
        return Literals.quoted(
            sql, start, start, Literals.Flavor.STANDARD, "unterminated quoted string");
      case '"':
        return Literals.quotedIdentifier(sql, start, start);
      case '$':
        return dollar(start);
      case '(':
        return single(TokenKind.LEFT_PAREN, start);
      case ')':
        return single(TokenKind.RIGHT_PAREN, start);
      case '[':
        return single(TokenKind.LEFT_BRACKET, start);
      case ']':
        return single(TokenKind.RIGHT_BRACKET, start);
      case '{':
        return single(TokenKind.LEFT_BRACE, start);
      case '}':
        return single(TokenKind.RIGHT_BRACE, start);
      case ',':
        return single(TokenKind.COMMA, start);
      case ';':
        return single(TokenKind.SEMICOLON, start);
      case ':':
        if (c1 == ':') {
          return slice(TokenKind.TYPECAST, start, start + 2);
        }
        return c1 == '='
            ? slice(TokenKind.COLON_EQUALS, start, start + 2)
            : single(TokenKind.COLON, start);
      case '.':
        // The second dot of PL/pgSQL's ".." never starts a number.
        boolean afterDot = start > 0 && sql.charAt(start - 1) == '.';
        return Scan.isDigit(c1) && !afterDot
            ? Numbers.lex(sql, start)
            : single(TokenKind.DOT, start);
      case '?':
        if (jdbc && c1 != '?') {
          String number = Integer.toString(++jdbcParameters);
          return new Token(TokenKind.PARAMETER, "?", number, start, start + 1);
        }
        return operator(start);
      default:
        break;
    }
    if (Scan.isDigit(c)) {
      return Numbers.lex(sql, start);
    }
    if (Scan.isIdentStart(c)) {
      return word(start, c, c1);
    }
    if (Scan.isOpChar(c)) {
      return operator(start);
    }
    throw Scan.errorAtToken(
        "syntax error", sql, start, start + Character.charCount(sql.codePointAt(start)));
  }

  /** An identifier, or a string whose prefix letter ({@code E B X N U&}) we are looking at. */
  private Token word(int start, char c, char c1) throws PgTrickleException {
    if (c1 == '\'') {
      switch (c) {
        case 'e', 'E':
          return Literals.escapeString(sql, start, start + 1);
        case 'b', 'B':
          return Literals.quoted(
              sql, start, start + 1, Literals.Flavor.BIT, "unterminated bit string literal");
        case 'x', 'X':
          return Literals.quoted(
              sql,
              start,
              start + 1,
              Literals.Flavor.BIT,
              "unterminated hexadecimal string literal");
        case 'n', 'N':
          return Literals.quoted(
              sql, start, start + 1, Literals.Flavor.STANDARD, "unterminated quoted string");
        default:
          break;
      }
    }
    if ((c == 'u' || c == 'U') && c1 == '&' && (at(start + 2) == '\'' || at(start + 2) == '"')) {
      return Literals.unicode(sql, start, at(start + 2) == '"');
    }
    int i = start + 1;
    while (i < n && Scan.isIdentCont(sql.charAt(i))) {
      i++;
    }
    String text = sql.substring(start, i);
    return new Token(TokenKind.IDENTIFIER, text, Scan.foldCase(text), start, i);
  }

  /** {@code $1}, or a dollar-quoted string; a lone {@code $} is not a token. */
  private Token dollar(int start) throws PgTrickleException {
    if (Scan.isDigit(at(start + 1))) {
      int i = start + 1;
      while (i < n && Scan.isDigit(sql.charAt(i))) {
        i++;
      }
      String text = sql.substring(start, i);
      String digits = text.substring(1).replaceFirst("^0+(?=\\d)", "");
      return new Token(TokenKind.PARAMETER, text, digits, start, i);
    }
    int tagEnd = Scan.dollarTagEnd(sql, start);
    if (tagEnd < 0) {
      throw Scan.errorAtToken("syntax error", sql, start, start + 1);
    }
    return Literals.dollarString(sql, start, tagEnd);
  }

  /**
   * An operator by PostgreSQL's rules: the longest run of operator characters, cut before an
   * embedded comment start; a trailing {@code +} or {@code -} is dropped unless the operator also
   * contains one of {@code ~ ! @ # ^ & | ` ? %}, so that {@code a=-1} means {@code a = -1}.
   */
  private Token operator(int start) {
    StringBuilder value = new StringBuilder();
    int i = start;
    while (i < n) {
      char c = sql.charAt(i);
      char d = at(i + 1);
      if (c == '?' && jdbc) {
        if (d != '?') {
          break;
        }
        value.append('?');
        i += 2;
      } else if (Scan.isOpChar(c) && !(c == '-' && d == '-') && !(c == '/' && d == '*')) {
        value.append(c);
        i++;
      } else {
        break;
      }
    }
    int len = value.length();
    if (len > 1 && isPlusMinus(value.charAt(len - 1)) && !hasSpecialOpChar(value)) {
      while (len > 1 && isPlusMinus(value.charAt(len - 1))) {
        len--;
      }
      // Only +, -, and the characters that map one-to-one reach this point.
      i -= value.length() - len;
      value.setLength(len);
    }
    String v = value.toString();
    TokenKind kind = v.equals("=>") ? TokenKind.NAMED_ARROW : TokenKind.OPERATOR;
    return new Token(kind, sql.substring(start, i), v, start, i);
  }

  private static boolean isPlusMinus(char c) {
    return c == '+' || c == '-';
  }

  private static boolean hasSpecialOpChar(CharSequence op) {
    for (int i = 0; i < op.length(); i++) {
      if ("~!@#^&|`?%".indexOf(op.charAt(i)) >= 0) {
        return true;
      }
    }
    return false;
  }

  private Token single(TokenKind kind, int start) {
    return slice(kind, start, start + 1);
  }

  private Token slice(TokenKind kind, int start, int end) {
    String text = sql.substring(start, end);
    return new Token(kind, text, text, start, end);
  }

  private char at(int i) {
    return i < n ? sql.charAt(i) : '\0';
  }
}
