package io.pgtrickle.sql.lex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.pgtrickle.errors.PgTrickleException;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SqlLexerTest {

  private static List<Token> lex(String sql) throws PgTrickleException {
    return SqlLexer.tokenize(sql, false);
  }

  private static List<Token> lexJdbc(String sql) throws PgTrickleException {
    return SqlLexer.tokenize(sql, true);
  }

  private static Token only(String sql) throws PgTrickleException {
    List<Token> tokens = lex(sql);
    assertThat(tokens).hasSize(1);
    return tokens.get(0);
  }

  private static PgTrickleException error(String sql) {
    try {
      lex(sql);
    } catch (PgTrickleException e) {
      return e;
    }
    throw new AssertionError("expected a lexer error for " + sql);
  }

  @Test
  void tokenizesASimpleStatementWithOffsets() throws Exception {
    assertThat(lex("SELECT a, b FROM t;"))
        .extracting(Token::kind, Token::text, Token::value, Token::start, Token::end)
        .containsExactly(
            tuple(TokenKind.IDENTIFIER, "SELECT", "select", 0, 6),
            tuple(TokenKind.IDENTIFIER, "a", "a", 7, 8),
            tuple(TokenKind.COMMA, ",", ",", 8, 9),
            tuple(TokenKind.IDENTIFIER, "b", "b", 10, 11),
            tuple(TokenKind.IDENTIFIER, "FROM", "from", 12, 16),
            tuple(TokenKind.IDENTIFIER, "t", "t", 17, 18),
            tuple(TokenKind.SEMICOLON, ";", ";", 18, 19));
  }

  @Test
  void emptyAndBlankInputHaveNoTokens() throws Exception {
    assertThat(lex("")).isEmpty();
    assertThat(lex("  \n\t -- only a comment\n /* and /* nested */ another */ ")).isEmpty();
  }

  @Nested
  class Identifiers {
    @Test
    void foldsOnlyAsciiLetters() throws Exception {
      assertThat(only("MyTable").value()).isEqualTo("mytable");
      assertThat(only("ÄrgerLICH").value()).isEqualTo("Ärgerlich");
      assertThat(only("_x$1").value()).isEqualTo("_x$1");
    }

    @Test
    void quotedIdentifiersKeepCaseAndUndoubleQuotes() throws Exception {
      Token t = only("\"My \"\"Big\"\" Table\"");
      assertThat(t.kind()).isEqualTo(TokenKind.QUOTED_IDENTIFIER);
      assertThat(t.value()).isEqualTo("My \"Big\" Table");
      assertThat(t.text()).isEqualTo("\"My \"\"Big\"\" Table\"");
    }

    @Test
    void zeroLengthQuotedIdentifierIsAnError() {
      PgTrickleException e = error("SELECT \"\" FROM t");
      assertThat(e.getSQLState()).isEqualTo("42601");
      assertThat(e.getMessage()).isEqualTo("zero-length delimited identifier at or near \"\"\"\"");
      assertThat(e.position()).isEqualTo(8);
    }

    @Test
    void unicodeIdentifier() throws Exception {
      Token t = only("U&\"d\\0061t\\+000061\"");
      assertThat(t.kind()).isEqualTo(TokenKind.QUOTED_IDENTIFIER);
      assertThat(t.value()).isEqualTo("data");
    }

    @Test
    void dollarSignsInsideIdentifiersAreNotQuotes() throws Exception {
      assertThat(lex("a$$b$$ c")).extracting(Token::value).containsExactly("a$$b$$", "c");
    }

    @Test
    void tokenHelpers() throws Exception {
      Token kw = only("SELECT");
      assertThat(kw.isWord("select")).isTrue();
      assertThat(kw.isName("select")).isTrue();
      assertThat(kw.is(TokenKind.IDENTIFIER)).isTrue();
      Token quoted = only("\"select\"");
      assertThat(quoted.isWord("select")).isFalse();
      assertThat(quoted.isName("select")).isTrue();
    }
  }

  @Nested
  class Strings {
    @Test
    void standardStringsDoubleQuotesAndKeepBackslashes() throws Exception {
      Token t = only("'it''s a \\n'");
      assertThat(t.kind()).isEqualTo(TokenKind.STRING);
      assertThat(t.value()).isEqualTo("it's a \\n");
      assertThat(t.text()).isEqualTo("'it''s a \\n'");
    }

    @Test
    void emptyString() throws Exception {
      assertThat(only("''").value()).isEmpty();
    }

    @Test
    void escapeStrings() throws Exception {
      assertThat(only("E'a\\nb\\tc\\\\d\\'e''f'").value()).isEqualTo("a\nb\tc\\d'e'f");
      assertThat(only("e'\\b\\f\\r'").value()).isEqualTo("\b\f\r");
      assertThat(only("E'\\101\\x42\\x4a'").value()).isEqualTo("ABJ");
      assertThat(only("E'\\q\\x'").value()).isEqualTo("qx");
      assertThat(only("E'\\u00e9\\U0001F600'").value()).isEqualTo("é\uD83D\uDE00");
      assertThat(only("E'\\uD83D\\uDE00'").value()).isEqualTo("\uD83D\uDE00");
    }

    @Test
    void escapedBytesAreDecodedAsUtf8() throws Exception {
      assertThat(only("E'caf\\xc3\\xa9'").value()).isEqualTo("café");
      assertThat(only("E'\\303\\251'").value()).isEqualTo("é");
    }

    @Test
    void invalidEscapes() {
      assertThat(error("SELECT E'\\xc3'").getMessage())
          .isEqualTo("invalid byte sequence for encoding \"UTF8\": 0xc3");
      assertThat(error("SELECT E'\\0'").getMessage()).contains("0x00");
      assertThat(error("SELECT E'\\u12'").getMessage()).isEqualTo("invalid Unicode escape");
      assertThat(error("SELECT E'\\uD83D'").getMessage())
          .isEqualTo("invalid Unicode surrogate pair");
      assertThat(error("SELECT E'\\uDE00'").getMessage())
          .isEqualTo("invalid Unicode surrogate pair");
      assertThat(error("SELECT E'\\U00110000'").getMessage())
          .isEqualTo("invalid Unicode escape value");
      PgTrickleException e = error("SELECT E'\\u0000'");
      assertThat(e.getSQLState()).isEqualTo("42601");
      assertThat(e.position()).isEqualTo(8);
    }

    @Test
    void unicodeStrings() throws Exception {
      assertThat(only("U&'d\\0061t\\+000061 \\\\'").value()).isEqualTo("data \\");
      Token t = only("U&'d!0061t!+000061' UESCAPE '!'");
      assertThat(t.value()).isEqualTo("data");
      assertThat(t.text()).isEqualTo("U&'d!0061t!+000061' UESCAPE '!'");
      assertThat(error("SELECT U&'\\XYZ'").getMessage()).isEqualTo("invalid Unicode escape");
      assertThat(error("SELECT U&'x' UESCAPE 'a'").getMessage())
          .startsWith("invalid Unicode escape character");
      assertThat(error("SELECT U&'x' UESCAPE x").getMessage())
          .startsWith("UESCAPE must be followed by a simple string literal");
    }

    @Test
    void nationalAndBitStrings() throws Exception {
      assertThat(only("N'abc'"))
          .extracting(Token::kind, Token::value)
          .containsExactly(TokenKind.STRING, "abc");
      assertThat(only("B'1010'"))
          .extracting(Token::kind, Token::value)
          .containsExactly(TokenKind.BIT_STRING, "1010");
      assertThat(only("x'1F'"))
          .extracting(Token::kind, Token::value)
          .containsExactly(TokenKind.BIT_STRING, "1F");
      assertThat(error("SELECT B'10").getMessage())
          .isEqualTo("unterminated bit string literal at or near \"B'10\"");
      assertThat(error("SELECT X'1F").getMessage())
          .startsWith("unterminated hexadecimal string literal");
    }

    @Test
    void prefixLettersInsideAWordAreNotPrefixes() throws Exception {
      assertThat(lex("namee'x'"))
          .extracting(Token::kind, Token::value)
          .containsExactly(tuple(TokenKind.IDENTIFIER, "namee"), tuple(TokenKind.STRING, "x"));
    }

    @Test
    void adjacentLiteralsSeparatedByANewlineAreConcatenated() throws Exception {
      Token t = only("'foo'\n  'bar' -- c\n'baz'");
      assertThat(t.value()).isEqualTo("foobarbaz");
      assertThat(t.end()).isEqualTo(24);
      assertThat(only("E'a\\n'\n'\\t'").value()).isEqualTo("a\n\t");
    }

    @Test
    void adjacentLiteralsOnOneLineAreTwoTokens() throws Exception {
      assertThat(lex("'foo' 'bar'")).extracting(Token::value).containsExactly("foo", "bar");
      assertThat(lex("'foo' /* c */\n'bar'"))
          .extracting(Token::value)
          .containsExactly("foo", "bar");
    }

    @Test
    void dollarQuotedStringsAreVerbatim() throws Exception {
      assertThat(only("$$it's \\n; -- not a comment$$").value())
          .isEqualTo("it's \\n; -- not a comment");
      assertThat(only("$q$ a $$ b $ c $q$").value()).isEqualTo(" a $$ b $ c ");
      assertThat(only("$Tag_1$x$tag_1$y$Tag_1$").value()).isEqualTo("x$tag_1$y");
      assertThat(only("$ä$x$ä$").value()).isEqualTo("x");
    }

    @ParameterizedTest
    @CsvSource(
        delimiter = '|',
        quoteCharacter = '~',
        value = {
          "SELECT 'abc|unterminated quoted string at or near \"'abc\"|8",
          "SELECT E'abc\\'|unterminated quoted string at or near \"E'abc\\'\"|8",
          "SELECT \"abc|unterminated quoted identifier at or near \"\"abc\"|8",
          "SELECT $$abc|unterminated dollar-quoted string at or near \"$$abc\"|8",
          "SELECT $a$abc$b$|unterminated dollar-quoted string at or near \"$a$abc$b$\"|8",
          "SELECT /* a /* b */ c|unterminated /* comment at or near \"/* a /* b */ c\"|8",
          "SELECT 1 \\ 2|syntax error at or near \"\\\"|10",
          "SELECT $ 1|syntax error at or near \"$\"|8",
          "SELECT $x 1|syntax error at or near \"$\"|8",
        })
    void unterminatedConstructsAreSyntaxErrors(String sql, String message, int position) {
      PgTrickleException e = error(sql);
      assertThat(e.getSQLState()).isEqualTo("42601");
      assertThat(e.getMessage()).isEqualTo(message);
      assertThat(e.position()).isEqualTo(position);
    }

    @Test
    void longRemaindersAreShortenedInMessages() {
      PgTrickleException e = error("SELECT '" + "x".repeat(100));
      assertThat(e.getMessage()).hasSizeLessThan(100).endsWith("...\"");
    }

    @Test
    void positionsCountCodePoints() {
      PgTrickleException e = error("SELECT '\uD83D\uDE00', 'abc");
      assertThat(e.position()).isEqualTo(13);
    }
  }

  @Nested
  class Numbers {
    @ParameterizedTest
    @CsvSource({
      "42, 42",
      "3.14, 3.14",
      ".5, .5",
      "1., 1.",
      "1e10, 1e10",
      "1.5E-3, 1.5E-3",
      "2e+7, 2e+7",
      "1_000_000, 1000000",
      "1_000.000_1, 1000.0001",
      "0x1F, 0x1F",
      "0X_ff, 0Xff",
      "0o17, 0o17",
      "0b1010_1010, 0b10101010",
    })
    void numbers(String text, String value) throws Exception {
      Token t = only(text);
      assertThat(t.kind()).isEqualTo(TokenKind.NUMBER);
      assertThat(t.text()).isEqualTo(text);
      assertThat(t.value()).isEqualTo(value);
    }

    @Test
    void numberEdgeCases() throws Exception {
      assertThat(lex("1..10"))
          .extracting(Token::kind, Token::text)
          .containsExactly(
              tuple(TokenKind.NUMBER, "1"),
              tuple(TokenKind.DOT, "."),
              tuple(TokenKind.DOT, "."),
              tuple(TokenKind.NUMBER, "10"));
      assertThat(lex("1e")).extracting(Token::text).containsExactly("1", "e");
      assertThat(lex("1__0")).extracting(Token::text).containsExactly("1", "__0");
      assertThat(lex("1_")).extracting(Token::text).containsExactly("1", "_");
      assertThat(lex("0x")).extracting(Token::text).containsExactly("0", "x");
      assertThat(lex("t.1"))
          .extracting(Token::kind)
          .containsExactly(TokenKind.IDENTIFIER, TokenKind.NUMBER);
    }
  }

  @Nested
  class Operators {
    @Test
    void punctuation() throws Exception {
      assertThat(lex("( ) [ ] { } , ; . : :: := =>"))
          .extracting(Token::kind)
          .containsExactly(
              TokenKind.LEFT_PAREN,
              TokenKind.RIGHT_PAREN,
              TokenKind.LEFT_BRACKET,
              TokenKind.RIGHT_BRACKET,
              TokenKind.LEFT_BRACE,
              TokenKind.RIGHT_BRACE,
              TokenKind.COMMA,
              TokenKind.SEMICOLON,
              TokenKind.DOT,
              TokenKind.COLON,
              TokenKind.TYPECAST,
              TokenKind.COLON_EQUALS,
              TokenKind.NAMED_ARROW);
    }

    @Test
    void multiCharacterOperators() throws Exception {
      assertThat(lex("a <= b <> c != d ->> e || f @> g"))
          .filteredOn(t -> t.kind() == TokenKind.OPERATOR)
          .extracting(Token::value)
          .containsExactly("<=", "<>", "!=", "->>", "||", "@>");
    }

    @Test
    void trailingPlusOrMinusIsSplitOffUnlessSpecialCharactersArePresent() throws Exception {
      assertThat(lex("a=-1")).extracting(Token::text).containsExactly("a", "=", "-", "1");
      assertThat(lex("a*-+1")).extracting(Token::text).containsExactly("a", "*", "-", "+", "1");
      assertThat(lex("a@-1")).extracting(Token::text).containsExactly("a", "@-", "1");
      assertThat(lex("x=>-1"))
          .extracting(Token::kind)
          .containsExactly(
              TokenKind.IDENTIFIER, TokenKind.NAMED_ARROW, TokenKind.OPERATOR, TokenKind.NUMBER);
    }

    @Test
    void commentStartsEndAnOperator() throws Exception {
      assertThat(lex("a+--c\nb")).extracting(Token::text).containsExactly("a", "+", "b");
      assertThat(lex("a*/*c*/b")).extracting(Token::text).containsExactly("a", "*", "b");
    }

    @Test
    void questionMarkIsAnOperatorCharacterOutsideJdbcMode() throws Exception {
      assertThat(lex("j ? 'k' AND j ?| ARRAY['a'] AND j ?& x"))
          .filteredOn(t -> t.kind() == TokenKind.OPERATOR)
          .extracting(Token::value)
          .containsExactly("?", "?|", "?&");
      assertThat(lex("?")).extracting(Token::kind).containsExactly(TokenKind.OPERATOR);
    }
  }

  @Nested
  class Parameters {
    @Test
    void dollarParametersAlwaysCount() throws Exception {
      assertThat(lex("$1 + $12 + $007"))
          .filteredOn(t -> t.kind() == TokenKind.PARAMETER)
          .extracting(Token::text, Token::value)
          .containsExactly(tuple("$1", "1"), tuple("$12", "12"), tuple("$007", "7"));
      assertThat(lexJdbc("$1")).extracting(Token::kind).containsExactly(TokenKind.PARAMETER);
    }

    @Test
    void jdbcPlaceholdersAreNumberedInOrder() throws Exception {
      assertThat(lexJdbc("f(?, '?', $$?$$, ?) -- ?\n /* ? */ ?"))
          .filteredOn(t -> t.kind() == TokenKind.PARAMETER)
          .extracting(Token::value, Token::start)
          .containsExactly(tuple("1", 2), tuple("2", 17), tuple("3", 34));
    }

    @Test
    void doubledQuestionMarkIsALiteralOperatorCharacterInJdbcMode() throws Exception {
      assertThat(lexJdbc("j ?? 'k' AND j ??| a AND j = ?"))
          .extracting(Token::kind, Token::text, Token::value)
          .containsExactly(
              tuple(TokenKind.IDENTIFIER, "j", "j"),
              tuple(TokenKind.OPERATOR, "??", "?"),
              tuple(TokenKind.STRING, "'k'", "k"),
              tuple(TokenKind.IDENTIFIER, "AND", "and"),
              tuple(TokenKind.IDENTIFIER, "j", "j"),
              tuple(TokenKind.OPERATOR, "??|", "?|"),
              tuple(TokenKind.IDENTIFIER, "a", "a"),
              tuple(TokenKind.IDENTIFIER, "AND", "and"),
              tuple(TokenKind.IDENTIFIER, "j", "j"),
              tuple(TokenKind.OPERATOR, "=", "="),
              tuple(TokenKind.PARAMETER, "?", "1"));
    }

    @Test
    void jdbcPlaceholderEndsAnOperator() throws Exception {
      assertThat(lexJdbc("a=?"))
          .extracting(Token::kind)
          .containsExactly(TokenKind.IDENTIFIER, TokenKind.OPERATOR, TokenKind.PARAMETER);
      assertThat(lexJdbc("?::text"))
          .extracting(Token::kind)
          .containsExactly(TokenKind.PARAMETER, TokenKind.TYPECAST, TokenKind.IDENTIFIER);
    }
  }

  @Test
  void commentsAreSkippedEverywhere() throws Exception {
    assertThat(lex("SELECT/* a /* nested */ b */1--tail\n,2 -- end"))
        .extracting(Token::text)
        .containsExactly("SELECT", "1", ",", "2");
  }

  @Test
  void tokensAreImmutable() throws Exception {
    List<Token> tokens = lex("a b");
    assertThatThrownBy(() -> tokens.add(tokens.get(0)))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void tokenRejectsBadRanges() {
    assertThatThrownBy(() -> new Token(TokenKind.COMMA, ",", ",", 3, 2))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
