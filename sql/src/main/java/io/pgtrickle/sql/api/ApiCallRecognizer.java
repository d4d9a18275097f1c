package io.pgtrickle.sql.api;

import io.pgtrickle.errors.PgTrickleException;
import io.pgtrickle.sql.lex.SqlLexer;
import io.pgtrickle.sql.lex.Token;
import io.pgtrickle.sql.lex.TokenKind;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Recognises a statement that calls one of the pg_trickle write functions ({@link ApiFunction}), so
 * the call can be run in Java instead of being sent to PostgreSQL. Accepted shapes are {@code
 * SELECT pgtrickle.f(args) [[AS] alias]} and {@code SELECT * FROM pgtrickle.f(args) [[AS] alias
 * [(column)]]}, with an optional trailing semicolon; a write function mentioned in any other shape
 * is refused, because PostgreSQL would not find it.
 */
public final class ApiCallRecognizer {
  private static final String SCHEMA = ApiFunction.SCHEMA;

  /** Words before a function name that refer to it rather than call it (DROP FUNCTION ...). */
  private static final Set<String> ROUTINE_WORDS = Set.of("function", "procedure", "routine");

  /** PostgreSQL's reserved keywords, which cannot be an alias without AS. */
  private static final Set<String> RESERVED =
      Set.of(
          ("all analyse analyze and any array as asc asymmetric both case cast check "
                  + "collate column constraint create current_catalog current_date current_role "
                  + "current_time current_timestamp current_user default deferrable desc distinct do "
                  + "else end except false fetch for foreign from grant group having in initially "
                  + "intersect into lateral leading limit localtime localtimestamp not null offset "
                  + "on only or order placing primary references returning select session_user some "
                  + "symmetric system_user table then to trailing true union unique user using "
                  + "variadic when where window with")
              .split(" "));

  private final String sql;
  private final List<Token> tokens;
  private final int mention;
  private final ApiFunction function;

  private ApiCallRecognizer(String sql, List<Token> tokens, int mention) {
    this.sql = sql;
    this.tokens = tokens;
    this.mention = mention;
    this.function = ApiFunction.bySqlName(tokens.get(mention + 2).value()).orElseThrow();
  }

  /**
   * The API call {@code sql} makes, or empty if it calls no write function.
   *
   * @param jdbcPlaceholders whether {@code ?} marks a JDBC parameter
   * @throws PgTrickleException if the statement calls a write function in a way we cannot run:
   *     FEATURE_NOT_SUPPORTED for other statement shapes and expression arguments,
   *     UNDEFINED_FUNCTION when no signature matches, SYNTAX_ERROR for malformed argument lists,
   *     INVALID_PARAMETER_VALUE for a bad boolean; or a lexical SYNTAX_ERROR
   */
  public static Optional<ApiCall> recognize(String sql, boolean jdbcPlaceholders)
      throws PgTrickleException {
    if (!mentionsSchema(sql)) {
      return Optional.empty();
    }
    List<Token> tokens = SqlLexer.tokenize(sql, jdbcPlaceholders);
    int mention = firstMention(tokens);
    if (mention < 0) {
      return Optional.empty();
    }
    return Optional.of(new ApiCallRecognizer(sql, tokens, mention).match());
  }

  /**
   * Whether "pgtrickle" occurs in any case. This runs on every statement, so it compares in place
   * instead of allocating a lower-cased copy.
   */
  static boolean mentionsSchema(String sql) {
    int len = SCHEMA.length();
    for (int i = 0, last = sql.length() - len; i <= last; i++) {
      char c = sql.charAt(i);
      if ((c == 'p' || c == 'P') && sql.regionMatches(true, i, SCHEMA, 0, len)) {
        return true;
      }
    }
    return false;
  }

  /** The index of the first {@code pgtrickle . <write function>} that could be a call, or -1. */
  private static int firstMention(List<Token> tokens) {
    for (int i = 0; i + 2 < tokens.size(); i++) {
      if (tokens.get(i).isName(SCHEMA)
          && tokens.get(i + 1).is(TokenKind.DOT)
          && isName(tokens.get(i + 2))
          && ApiFunction.bySqlName(tokens.get(i + 2).value()).isPresent()
          && !(i > 0 && isRoutineWord(tokens.get(i - 1)))) {
        return i;
      }
    }
    return -1;
  }

  private static boolean isRoutineWord(Token t) {
    return t.is(TokenKind.IDENTIFIER) && ROUTINE_WORDS.contains(t.value());
  }

  private static boolean isName(Token t) {
    return t.is(TokenKind.IDENTIFIER) || t.is(TokenKind.QUOTED_IDENTIFIER);
  }

  private ApiCall match() throws PgTrickleException {
    int end = tokens.size();
    while (end > 0 && tokens.get(end - 1).is(TokenKind.SEMICOLON)) {
      end--;
    }
    for (int i = 0; i < end; i++) {
      if (tokens.get(i).is(TokenKind.SEMICOLON)) {
        throw shape("cannot be combined with other statements in one query string");
      }
    }
    boolean fromForm =
        end > 3
            && tokens.get(1).is(TokenKind.OPERATOR)
            && tokens.get(1).value().equals("*")
            && tokens.get(2).isWord("from");
    int open = mention + 3;
    if (!tokens.get(0).isWord("select")
        || mention != (fromForm ? 3 : 1)
        || open >= end
        || !tokens.get(open).is(TokenKind.LEFT_PAREN)) {
      throw notStandalone();
    }
    int close = matchingParen(open, end);
    Alias alias = alias(close + 1, end, fromForm);
    if (alias.next != end) {
      throw notStandalone();
    }
    List<ParsedArgument> args = new ArgumentParser(sql, tokens, function).parse(open, close);
    Map<String, ArgValue> bound = ArgumentBinder.bind(function, args, sql, tokens.get(mention + 2));
    return new ApiCall(function, bound, alias.column);
  }

  /**
   * The optional alias starting at {@code j}. For the FROM form PostgreSQL names a scalar
   * function's column after the table alias, or after the column alias if one is given.
   */
  private Alias alias(int j, int end, boolean fromForm) throws PgTrickleException {
    if (j >= end) {
      return new Alias(function.sqlName(), j);
    }
    boolean as = tokens.get(j).isWord("as");
    if (as) {
      j++;
    }
    Token t = j < end ? tokens.get(j) : null;
    boolean isAlias =
        t != null
            && (t.is(TokenKind.QUOTED_IDENTIFIER)
                || (t.is(TokenKind.IDENTIFIER) && (as || !RESERVED.contains(t.value()))));
    if (!isAlias) {
      // Not an alias: leave j where it was, so the caller sees the trailing tokens.
      return new Alias(function.sqlName(), as ? j - 1 : j);
    }
    if (fromForm
        && j + 3 < end
        && tokens.get(j + 1).is(TokenKind.LEFT_PAREN)
        && isName(tokens.get(j + 2))
        && tokens.get(j + 3).is(TokenKind.RIGHT_PAREN)) {
      return new Alias(tokens.get(j + 2).value(), j + 4);
    }
    return new Alias(t.value(), j + 1);
  }

  /** The index of the parenthesis closing the one at {@code open}; unbalanced is a wrong shape. */
  private int matchingParen(int open, int end) throws PgTrickleException {
    int depth = 0;
    for (int j = open; j < end; j++) {
      if (tokens.get(j).is(TokenKind.LEFT_PAREN)) {
        depth++;
      } else if (tokens.get(j).is(TokenKind.RIGHT_PAREN) && --depth == 0) {
        return j;
      }
    }
    throw ApiErrors.syntax(
        "syntax error at end of input",
        "Close the argument list of " + function.qualifiedName() + " with ')'.",
        sql,
        tokens.get(open));
  }

  private PgTrickleException notStandalone() {
    return shape(
        "must be called in a statement of its own, as SELECT "
            + function.qualifiedName()
            + "(...)");
  }

  private PgTrickleException shape(String why) {
    return ApiErrors.wrongShape(function, why, sql, tokens.get(mention));
  }

  /** A result column name and the index of the token after the alias clause. */
  private record Alias(String column, int next) {}
}
