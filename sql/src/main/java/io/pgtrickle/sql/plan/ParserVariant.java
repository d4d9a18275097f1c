package io.pgtrickle.sql.plan;

import io.pgtrickle.sql.lex.Identifiers;
import io.pgtrickle.sql.lex.Token;
import io.pgtrickle.sql.lex.TokenKind;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The text JSqlParser is given instead of the canonical text, with a map from its offsets back to
 * the original.
 *
 * <p>It exists because JSqlParser misreads PostgreSQL's LIKE operators: {@code ~~} parses as {@code
 * ~ (~x)} and {@code ~~*} not at all. pg_get_viewdef never leaves an operator expression
 * unparenthesized as an operand of {@code ~~}, so spelling the operators LIKE, ILIKE, NOT LIKE and
 * NOT ILIKE cannot change what the query means. Nothing else is changed, and expression text is
 * always cut from the original, so generated SQL keeps PostgreSQL's own spelling.
 */
final class ParserVariant {
  private static final Map<String, String> LIKE_OPERATORS =
      Map.of("~~", "LIKE", "~~*", "ILIKE", "!~~", "NOT LIKE", "!~~*", "NOT ILIKE");

  /**
   * Words JSqlParser 5.4 fails on as identifiers although PostgreSQL prints them unquoted: found by
   * running every PostgreSQL unreserved keyword and every JSqlParser keyword through pg_get_viewdef
   * as a column, column alias, table and table alias (see ParserVariantTest).
   */
  private static final Set<String> JSQLPARSER_RESERVED =
      Set.of(
          "absent",
          "connect_by_root",
          "csv",
          "current",
          "distinctrow",
          "double",
          "enum",
          "errors",
          "excludes",
          "extend",
          "fbv",
          "file",
          "final",
          "force",
          "global",
          "import",
          "includes",
          "minus",
          "nocycle",
          "output",
          "pivot",
          "preferring",
          "prewhere",
          "prior",
          "qualify",
          "returns",
          "sample",
          "script",
          "semi",
          "set",
          "settings",
          "sql_cache",
          "sql_calc_found_rows",
          "sql_no_cache",
          "statement",
          "unbounded",
          "unknown",
          "unpivot",
          "use",
          "varying",
          "verify",
          "xor");

  private final String text;

  /** For each offset of {@link #text} and its end, the original offset it came from. */
  private final int[] origin;

  private ParserVariant(String text, int[] origin) {
    this.text = text;
    this.origin = origin;
  }

  /** The variant of {@code source}, whose tokens (trailing semicolons dropped) are given. */
  static ParserVariant of(String source, List<Token> tokens) {
    Builder b = new Builder(source);
    for (int i = 0; i < tokens.size(); i++) {
      Token t = tokens.get(i);
      String like = t.is(TokenKind.OPERATOR) ? LIKE_OPERATORS.get(t.text()) : null;
      if (like != null) {
        b.copyUpTo(t.start());
        // Blanks around the keyword keep "a~~b" from turning into one identifier.
        b.replace(" " + like + " ", t.end());
      } else if (t.is(TokenKind.IDENTIFIER)
          && JSQLPARSER_RESERVED.contains(t.value())
          && !isSyntax(t.value(), word(tokens, i - 1), word(tokens, i + 1))) {
        b.copyUpTo(t.start());
        b.replace(Identifiers.quote(t.value()), t.end());
      }
    }
    b.copyUpTo(tokens.get(tokens.size() - 1).end());
    return new ParserVariant(b.out.toString(), b.finish());
  }

  /** Whether {@code word}, between {@code before} and {@code after}, is PostgreSQL syntax. */
  private static boolean isSyntax(String word, String before, String after) {
    switch (word) {
      case "double":
        return after.equals("precision");
      case "varying":
        return before.equals("character") || before.equals("bit") || before.equals("char");
      case "unknown":
        return before.equals("is") || before.equals("not");
      case "unbounded":
        return after.equals("preceding") || after.equals("following");
      case "current":
        return after.equals("row") || before.equals("of");
      case "absent":
        return after.equals("on");
      default:
        return false;
    }
  }

  /** The unquoted word at {@code i}, or "" if there is none. */
  private static String word(List<Token> tokens, int i) {
    return i >= 0 && i < tokens.size() && tokens.get(i).is(TokenKind.IDENTIFIER)
        ? tokens.get(i).value()
        : "";
  }

  /** The text for JSqlParser. */
  String text() {
    return text;
  }

  /**
   * The original offset of variant offset {@code p}. Characters of a replacement map to the start
   * of the operator they replace; the end of the text maps to the end of the last token.
   */
  int originalOffset(int p) {
    return origin[Math.max(0, Math.min(p, text.length()))];
  }

  /** Copies the source, replacing operators, and records where each output character came from. */
  private static final class Builder {
    private final String source;
    private final StringBuilder out = new StringBuilder();
    private int[] map;
    private int pos;

    Builder(String source) {
      this.source = source;
      this.map = new int[source.length() + 1];
    }

    void copyUpTo(int end) {
      for (; pos < end; pos++) {
        put(source.charAt(pos), pos);
      }
    }

    /** Writes {@code text} for the original {@code [pos, end)}; all of it maps to pos. */
    void replace(String text, int end) {
      for (int i = 0; i < text.length(); i++) {
        put(text.charAt(i), pos);
      }
      pos = end;
    }

    int[] finish() {
      ensure(out.length() + 1);
      map[out.length()] = pos;
      return Arrays.copyOf(map, out.length() + 1);
    }

    private void put(char c, int originalOffset) {
      ensure(out.length() + 1);
      map[out.length()] = originalOffset;
      out.append(c);
    }

    private void ensure(int size) {
      if (size > map.length) {
        map = Arrays.copyOf(map, Math.max(size, map.length * 2));
      }
    }
  }
}
