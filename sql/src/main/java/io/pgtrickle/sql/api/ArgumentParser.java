package io.pgtrickle.sql.api;

import io.pgtrickle.errors.PgTrickleException;
import io.pgtrickle.errors.SqlState;
import io.pgtrickle.sql.lex.Token;
import io.pgtrickle.sql.lex.TokenKind;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Parses the argument list of a recognised call into {@link ParsedArgument}s: optional {@code name
 * =>} or {@code name :=}, then a string literal, NULL, true/false, a number or a parameter,
 * possibly in parentheses, then any {@code ::type} casts ({@code CAST(x AS type)} too). Anything
 * else is an expression, which we refuse rather than evaluate differently from PostgreSQL.
 */
final class ArgumentParser {
  private final String sql;
  private final List<Token> tokens;
  private final ApiFunction function;

  ArgumentParser(String sql, List<Token> tokens, ApiFunction function) {
    this.sql = sql;
    this.tokens = tokens;
    this.function = function;
  }

  /** The arguments between the call's parentheses at {@code open} and {@code close}. */
  List<ParsedArgument> parse(int open, int close) throws PgTrickleException {
    List<ParsedArgument> args = new ArrayList<>();
    if (close == open + 1) {
      return args;
    }
    int start = open + 1;
    int depth = 0;
    for (int i = start; i <= close; i++) {
      TokenKind k = tokens.get(i).kind();
      if (k == TokenKind.LEFT_PAREN || k == TokenKind.LEFT_BRACKET) {
        depth++;
      } else if ((k == TokenKind.RIGHT_PAREN || k == TokenKind.RIGHT_BRACKET) && i < close) {
        depth--;
      } else if ((k == TokenKind.COMMA && depth == 0) || i == close) {
        if (i == start) {
          throw syntaxAt(tokens.get(i));
        }
        args.add(argument(start, i));
        start = i + 1;
      }
    }
    return args;
  }

  private ParsedArgument argument(int from, int to) throws PgTrickleException {
    Token first = tokens.get(from);
    String name = null;
    Token nameToken = null;
    if (from + 1 < to
        && (first.is(TokenKind.IDENTIFIER) || first.is(TokenKind.QUOTED_IDENTIFIER))
        && (tokens.get(from + 1).is(TokenKind.NAMED_ARROW)
            || tokens.get(from + 1).is(TokenKind.COLON_EQUALS))) {
      name = first.value();
      nameToken = first;
      from += 2;
      if (from == to) {
        throw syntaxAt(tokens.get(to));
      }
    }
    Token valueToken = tokens.get(from);
    Parsed p = value(from, to);
    if (p.next != to) {
      throw ApiErrors.notLiteral(function, sql, valueToken);
    }
    return new ParsedArgument(name, nameToken, valueToken, p.expr);
  }

  /** A value with its trailing casts, ending at or before {@code to}. */
  private Parsed value(int i, int to) throws PgTrickleException {
    Parsed p = primary(i, to);
    while (p.next < to && tokens.get(p.next).is(TokenKind.TYPECAST)) {
      Token castToken = tokens.get(p.next);
      TypeName t = typeName(p.next + 1, to);
      p = new Parsed(Casts.apply(p.expr, t.type, function, sql, castToken), t.next);
    }
    return p;
  }

  private Parsed primary(int i, int to) throws PgTrickleException {
    Token t = tokens.get(i);
    switch (t.kind()) {
      case STRING:
        return new Parsed(new ArgExpr(ArgExpr.Kind.STRING, t.value(), SqlType.UNKNOWN), i + 1);
      case PARAMETER:
        return new Parsed(
            new ArgExpr(ArgExpr.Kind.PARAM, parameterNumber(t), SqlType.UNKNOWN), i + 1);
      case NUMBER:
        return new Parsed(number("", t), i + 1);
      case LEFT_PAREN:
        {
          // A parenthesised value is the same value; pgjdbc's simple mode inlines each bound
          // parameter this way, as ('text') or ('text'::type).
          Parsed inner;
          try {
            inner = value(i + 1, to);
          } catch (PgTrickleException e) {
            if (!e.getSQLState().equals(SqlState.FEATURE_NOT_SUPPORTED.code())) {
              throw e;
            }
            // A subquery or an expression: point at the parenthesis that starts it.
            break;
          }
          if (inner.next < to && tokens.get(inner.next).is(TokenKind.RIGHT_PAREN)) {
            return new Parsed(inner.expr, inner.next + 1);
          }
          break;
        }
      case OPERATOR:
        if ((t.value().equals("-") || t.value().equals("+"))
            && i + 1 < to
            && tokens.get(i + 1).is(TokenKind.NUMBER)) {
          return new Parsed(number(t.value(), tokens.get(i + 1)), i + 2);
        }
        break;
      case IDENTIFIER:
        switch (t.value()) {
          case "null":
            return new Parsed(new ArgExpr(ArgExpr.Kind.NULL, null, SqlType.UNKNOWN), i + 1);
          case "true", "false":
            return new Parsed(
                new ArgExpr(ArgExpr.Kind.BOOL, t.value().equals("true"), SqlType.BOOLEAN), i + 1);
          case "cast":
            if (i + 1 < to && tokens.get(i + 1).is(TokenKind.LEFT_PAREN)) {
              return cast(i, to);
            }
            break;
          default:
            break;
        }
        break;
      default:
        break;
    }
    throw ApiErrors.notLiteral(function, sql, t);
  }

  /** {@code CAST ( value AS type )} starting at the CAST keyword. */
  private Parsed cast(int i, int to) throws PgTrickleException {
    Parsed inner = value(i + 2, to);
    if (inner.next >= to || !tokens.get(inner.next).isWord("as")) {
      throw ApiErrors.notLiteral(function, sql, tokens.get(i));
    }
    TypeName t = typeName(inner.next + 1, to);
    if (t.next >= to || !tokens.get(t.next).is(TokenKind.RIGHT_PAREN)) {
      throw ApiErrors.notLiteral(function, sql, tokens.get(i));
    }
    return new Parsed(Casts.apply(inner.expr, t.type, function, sql, tokens.get(i)), t.next + 1);
  }

  /**
   * A type name: {@code [schema.]name}, the two-word names {@code character varying} and {@code
   * double precision}, then an optional modifier {@code (…)} and array brackets.
   */
  private TypeName typeName(int i, int to) throws PgTrickleException {
    if (i >= to || !isName(tokens.get(i))) {
      throw syntaxAt(tokens.get(Math.min(i, to)));
    }
    String schema = null;
    String name = tokens.get(i).value();
    int j = i + 1;
    if (j + 1 < to && tokens.get(j).is(TokenKind.DOT) && isName(tokens.get(j + 1))) {
      schema = name;
      name = tokens.get(j + 1).value();
      j += 2;
    }
    if (j < to
        && (name.equals("character") || name.equals("char"))
        && tokens.get(j).isWord("varying")) {
      name = "character varying";
      j++;
    } else if (j < to && name.equals("double") && tokens.get(j).isWord("precision")) {
      name = "double precision";
      j++;
    }
    boolean typmod = false;
    if (j < to && tokens.get(j).is(TokenKind.LEFT_PAREN)) {
      typmod = true;
      j = skipGroup(j, to, TokenKind.RIGHT_PAREN);
    }
    boolean array = false;
    while (j < to && tokens.get(j).is(TokenKind.LEFT_BRACKET)) {
      array = true;
      j = skipGroup(j, to, TokenKind.RIGHT_BRACKET);
    }
    return new TypeName(SqlType.named(schema, name, typmod, array), j);
  }

  /** The index after the token closing the group opened at {@code open}. */
  private int skipGroup(int open, int to, TokenKind closer) throws PgTrickleException {
    for (int j = open + 1; j < to; j++) {
      if (tokens.get(j).is(closer)) {
        return j + 1;
      }
    }
    throw ApiErrors.notLiteral(function, sql, tokens.get(open));
  }

  private static boolean isName(Token t) {
    return t.is(TokenKind.IDENTIFIER) || t.is(TokenKind.QUOTED_IDENTIFIER);
  }

  private int parameterNumber(Token t) throws PgTrickleException {
    int n;
    try {
      n = Integer.parseInt(t.value());
    } catch (NumberFormatException e) {
      n = 0;
    }
    if (n < 1) {
      throw PgTrickleException.builder(
              SqlState.INVALID_PARAMETER_VALUE, "there is no parameter " + t.text())
          .hint("Parameters are numbered from $1.")
          .position(ApiErrors.position(sql, t))
          .build();
    }
    return n;
  }

  /** A numeric constant, typed as PostgreSQL types it and normalized as its text output reads. */
  private static ArgExpr number(String sign, Token t) {
    String v = t.value().toLowerCase(Locale.ROOT);
    int radix = v.startsWith("0x") ? 16 : v.startsWith("0o") ? 8 : v.startsWith("0b") ? 2 : 10;
    if (radix != 10 || (v.indexOf('.') < 0 && v.indexOf('e') < 0)) {
      BigInteger i = new BigInteger(sign + (radix == 10 ? v : v.substring(2)), radix);
      SqlType type =
          i.bitLength() < 32
              ? SqlType.INTEGER
              : i.bitLength() < 64 ? SqlType.BIGINT : SqlType.NUMERIC;
      return new ArgExpr(ArgExpr.Kind.NUMBER, i.toString(), type);
    }
    String plain = new BigDecimal(sign + v).toPlainString();
    return new ArgExpr(ArgExpr.Kind.NUMBER, plain, SqlType.NUMERIC);
  }

  private PgTrickleException syntaxAt(Token t) {
    return ApiErrors.syntax(
        "syntax error at or near \"" + t.text() + "\"",
        "Arguments of " + function.qualifiedName() + " are separated by single commas.",
        sql,
        t);
  }

  private record Parsed(ArgExpr expr, int next) {}

  private record TypeName(SqlType type, int next) {}
}
