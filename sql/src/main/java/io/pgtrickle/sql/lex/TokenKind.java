package io.pgtrickle.sql.lex;

/** The kinds of token {@link SqlLexer} produces; keywords are plain {@link #IDENTIFIER}s. */
public enum TokenKind {
  /** An unquoted identifier or keyword; its value is folded to lower case. */
  IDENTIFIER,
  /** A double-quoted identifier ({@code "My Table"}, {@code U&"..."}); its value keeps its case. */
  QUOTED_IDENTIFIER,
  /**
   * A character string: {@code '...'}, {@code E'...'}, {@code N'...'}, {@code U&'...'}, {@code
   * $$...$$}.
   */
  STRING,
  /** A bit-string constant, {@code B'1010'} or {@code X'1F'}; its value is the digits. */
  BIT_STRING,
  /** A numeric constant; its value is the text without digit-group underscores. */
  NUMBER,
  /** An operator such as {@code +}, {@code <=}, {@code ->>} or {@code ?|}. */
  OPERATOR,
  /** A parameter, {@code $1} or (in JDBC mode) {@code ?}; its value is the 1-based number. */
  PARAMETER,
  /** {@code (} */
  LEFT_PAREN,
  /** {@code )} */
  RIGHT_PAREN,
  /** {@code [} */
  LEFT_BRACKET,
  /** {@code ]} */
  RIGHT_BRACKET,
  /** {@code {}, which only appears in JDBC escape syntax such as {@code {call f(?)}}. */
  LEFT_BRACE,
  /** {@code }}, the end of a JDBC escape. */
  RIGHT_BRACE,
  /** {@code ,} */
  COMMA,
  /** {@code ;} */
  SEMICOLON,
  /** {@code .} */
  DOT,
  /** {@code :}, as in array slices {@code a[1:2]}. */
  COLON,
  /** {@code ::} */
  TYPECAST,
  /** {@code =>}, the named-argument arrow. */
  NAMED_ARROW,
  /** {@code :=}, the older named-argument notation. */
  COLON_EQUALS
}
