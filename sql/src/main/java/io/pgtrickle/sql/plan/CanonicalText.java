package io.pgtrickle.sql.plan;

import io.pgtrickle.errors.PgTrickleException;
import io.pgtrickle.errors.SqlState;
import io.pgtrickle.sql.lex.SqlLexer;
import io.pgtrickle.sql.lex.Token;
import io.pgtrickle.sql.lex.TokenKind;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import net.sf.jsqlparser.parser.ASTNodeAccess;
import net.sf.jsqlparser.parser.Node;

/**
 * The canonical query text seen three ways: as written, as our lexer's tokens, and as the {@link
 * ParserVariant} JSqlParser reads. Positions JSqlParser reports are mapped back to token spans
 * here, and expression text is rendered from the original tokens, never from JSqlParser's objects.
 */
final class CanonicalText {
  private final String original;
  private final List<Token> tokens;
  private final ParserVariant variant;

  private final Map<Integer, Integer> tokenStartingAt = new HashMap<>();
  private final Map<Integer, Integer> tokenEndingAt = new HashMap<>();

  private CanonicalText(String original, List<Token> tokens) {
    this.original = original;
    this.tokens = tokens;
    this.variant = ParserVariant.of(original, tokens);
    for (int i = 0; i < tokens.size(); i++) {
      tokenStartingAt.put(tokens.get(i).start(), i);
      tokenEndingAt.put(tokens.get(i).end(), i);
    }
  }

  /**
   * Tokenizes {@code sql}, dropping trailing semicolons.
   *
   * @throws PgTrickleException SYNTAX_ERROR if it does not lex, is empty or holds two statements
   */
  static CanonicalText of(String sql) throws PgTrickleException {
    Objects.requireNonNull(sql, "canonicalSql");
    List<Token> all = SqlLexer.tokenize(sql, false);
    int n = all.size();
    while (n > 0 && all.get(n - 1).is(TokenKind.SEMICOLON)) {
      n--;
    }
    if (n == 0) {
      throw PgTrickleException.of(SqlState.SYNTAX_ERROR, "the defining query is empty");
    }
    for (int i = 0; i < n; i++) {
      if (all.get(i).is(TokenKind.SEMICOLON)) {
        throw PgTrickleException.builder(
                SqlState.SYNTAX_ERROR, "the defining query must be a single statement")
            .internal(all.get(i).start() + 1, sql)
            .build();
      }
    }
    return new CanonicalText(sql, List.copyOf(all.subList(0, n)));
  }

  /** The text as the caller gave it. */
  String original() {
    return original;
  }

  /** The variant handed to JSqlParser. */
  String parseable() {
    return variant.text();
  }

  /** Token {@code i}. */
  Token token(int i) {
    return tokens.get(i);
  }

  /** The number of tokens. */
  int size() {
    return tokens.size();
  }

  /** The whole statement. */
  Span whole() {
    return new Span(0, tokens.size());
  }

  /** The original offset of offset {@code p} of the JSqlParser variant. */
  int originalOffset(int p) {
    return variant.originalOffset(p);
  }

  /** The index of the first token that ends after original offset {@code offset}, or -1. */
  int tokenAtOrAfter(int offset) {
    for (int i = 0; i < tokens.size(); i++) {
      if (tokens.get(i).end() > offset) {
        return i;
      }
    }
    return -1;
  }

  /**
   * The tokens a JSqlParser object was parsed from, or null if JSqlParser kept no syntax node for
   * it (it does for clause-level expressions, select items, FROM items, joins, columns and function
   * calls, not for every operator node).
   *
   * @throws PlanningError INTERNAL_ERROR if the node's offsets do not fall on token boundaries,
   *     which would mean JSqlParser's offset convention changed
   */
  Span span(Object jsqlObject) {
    if (!(jsqlObject instanceof ASTNodeAccess access) || access.getASTNode() == null) {
      return null;
    }
    Node node = access.getASTNode();
    if (node.jjtGetFirstToken() == null || node.jjtGetLastToken() == null) {
      return null;
    }
    // JSqlParser's absolute offsets are one past ours: begin is 1-based, end is exclusive + 1.
    int begin = node.jjtGetFirstToken().absoluteBegin - 1;
    int end = node.jjtGetLastToken().absoluteEnd - 1;
    Integer first = begin >= 0 && begin < end ? tokenStartingAt.get(originalOffset(begin)) : null;
    Integer last = end <= parseable().length() ? tokenEndingAt.get(originalOffset(end)) : null;
    if (first == null || last == null || last < first) {
      throw PlanErrors.internal(
          "cannot locate \""
              + jsqlObject
              + "\" in the defining query (offsets "
              + begin
              + ".."
              + end
              + ")");
    }
    return new Span(first, last + 1);
  }

  /** The span without parentheses that enclose all of it (but not a row constructor's). */
  Span stripParens(Span s) {
    while (s.size() >= 3
        && tokens.get(s.from()).is(TokenKind.LEFT_PAREN)
        && matchingParen(s.from()) == s.to() - 1
        && !hasTopLevelComma(s.from() + 1, s.to() - 1)) {
      s = new Span(s.from() + 1, s.to() - 1);
    }
    return s;
  }

  /** A select item's span without its trailing {@code [AS] alias}. */
  Span dropAlias(Span item) {
    int to = item.to() - 1;
    if (to - 1 > item.from() && tokens.get(to - 1).isWord("as")) {
      to--;
    }
    return new Span(item.from(), to);
  }

  /** The argument list of a function call span {@code name(args)}: the tokens inside the parens. */
  Span arguments(Span call) {
    for (int i = call.from(); i < call.to(); i++) {
      if (tokens.get(i).is(TokenKind.LEFT_PAREN)) {
        int close = matchingParen(i);
        return close > i + 1 ? new Span(i + 1, close) : null;
      }
    }
    return null;
  }

  /** The first token outside all brackets that is the keyword {@code word}, to the end. */
  Span clause(String word) {
    int depth = 0;
    for (int i = 0; i < tokens.size(); i++) {
      Token t = tokens.get(i);
      depth += nesting(t);
      if (depth == 0 && t.isWord(word)) {
        return new Span(i, tokens.size());
      }
    }
    return null;
  }

  /** The parenthesized text around the second SELECT keyword, if the statement has one. */
  Span nestedSelect() {
    int seen = 0;
    for (int i = 0; i < tokens.size(); i++) {
      if (tokens.get(i).isWord("select") && ++seen == 2) {
        for (int open = i - 1; open >= 0; open--) {
          if (tokens.get(open).is(TokenKind.LEFT_PAREN) && matchingParen(open) > i) {
            return new Span(open, matchingParen(open) + 1);
          }
        }
        return new Span(i, tokens.size());
      }
    }
    return null;
  }

  /**
   * The SQL text of {@code s}, token for token, with one blank wherever the original had any
   * whitespace and {@code prefixes} (keyed by token index) written before their tokens.
   */
  String render(Span s, Map<Integer, String> prefixes) {
    StringBuilder sb = new StringBuilder();
    for (int i = s.from(); i < s.to(); i++) {
      Token t = tokens.get(i);
      if (i > s.from() && tokens.get(i - 1).end() < t.start()) {
        sb.append(' ');
      }
      String prefix = prefixes.get(i);
      if (prefix != null) {
        sb.append(prefix);
      }
      sb.append(t.text());
    }
    return sb.toString();
  }

  /** {@link #render} without prefixes, shortened for an error message. */
  String display(Span s) {
    String text = render(s, Map.of());
    return text.length() <= 80 ? text : text.substring(0, 77) + "…";
  }

  /** The original offset where {@code s} starts. */
  int offset(Span s) {
    return tokens.get(s.from()).start();
  }

  private int matchingParen(int open) {
    int depth = 0;
    for (int i = open; i < tokens.size(); i++) {
      depth += nesting(tokens.get(i));
      if (depth == 0) {
        return i;
      }
    }
    return -1;
  }

  private boolean hasTopLevelComma(int from, int to) {
    int depth = 0;
    for (int i = from; i < to; i++) {
      Token t = tokens.get(i);
      depth += nesting(t);
      if (depth == 0 && t.is(TokenKind.COMMA)) {
        return true;
      }
    }
    return false;
  }

  private static int nesting(Token t) {
    return switch (t.kind()) {
      case LEFT_PAREN, LEFT_BRACKET -> 1;
      case RIGHT_PAREN, RIGHT_BRACKET -> -1;
      default -> 0;
    };
  }
}
