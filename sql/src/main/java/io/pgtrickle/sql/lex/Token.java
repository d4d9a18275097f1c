package io.pgtrickle.sql.lex;

import java.util.Objects;

/**
 * One lexical token: its kind, the raw source slice, the decoded value and its 0-based character
 * offsets {@code [start, end)} in the statement.
 *
 * @param kind what the token is
 * @param text the source text exactly as written, quotes and prefixes included
 * @param value the decoded value: identifiers folded, strings unescaped, parameters as their number
 * @param start offset of the first character
 * @param end offset just past the last character
 */
public record Token(TokenKind kind, String text, String value, int start, int end) {
  public Token {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(value, "value");
    if (start < 0 || end < start) {
      throw new IllegalArgumentException("bad token range [" + start + ", " + end + ")");
    }
  }

  /** Whether this token is of the given kind. */
  public boolean is(TokenKind k) {
    return kind == k;
  }

  /** Whether this is the unquoted word {@code lowerCaseWord}, such as a keyword. */
  public boolean isWord(String lowerCaseWord) {
    return kind == TokenKind.IDENTIFIER && value.equals(lowerCaseWord);
  }

  /** Whether this is an identifier, quoted or not, whose value is {@code name}. */
  public boolean isName(String name) {
    return (kind == TokenKind.IDENTIFIER || kind == TokenKind.QUOTED_IDENTIFIER)
        && value.equals(name);
  }
}
