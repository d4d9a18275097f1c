package io.pgtrickle.sql.lex;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The scanner behind {@link Statements#spans}. Besides quotes and comments it tracks parentheses
 * and, like psql, {@code BEGIN ... END} blocks in {@code CREATE [OR REPLACE] FUNCTION|PROCEDURE}
 * statements, whose bodies ({@code BEGIN ATOMIC ...; ...; END}) contain semicolons.
 */
final class Splitter {
  private static final String[] ROUTINE_WORDS = {
    "create", "or", "replace", "function", "procedure"
  };

  private final String sql;
  private final int n;
  private final List<Statements.Span> spans = new ArrayList<>();

  // Per-statement state, reset after each semicolon that ends a statement.
  private int first = -1;
  private int last = -1;
  private boolean hasToken;
  private int parenDepth;
  private int beginDepth;
  private int wordCount;

  /** Initials of the first words when they are CREATE, OR, REPLACE, FUNCTION or PROCEDURE. */
  private final char[] initials = new char[4];

  Splitter(String sql) {
    this.sql = sql;
    this.n = sql.length();
  }

  List<Statements.Span> run() {
    int i = 0;
    while (i < n) {
      char c = sql.charAt(i);
      char d = i + 1 < n ? sql.charAt(i + 1) : '\0';
      if (Scan.isSpace(c)) {
        i++;
        continue;
      }
      if (c == ';' && parenDepth == 0 && beginDepth == 0) {
        endStatement();
        i++;
        continue;
      }
      int start = i;
      boolean token = true;
      if (c == '-' && d == '-') {
        i = Scan.lineCommentEnd(sql, i);
        token = false;
      } else if (c == '/' && d == '*') {
        i = orEnd(Scan.blockCommentEnd(sql, i));
        token = false;
      } else if (c == '\'') {
        i = quoteEnd(i, false);
      } else if (c == '"') {
        i = quoteEnd(i, false);
      } else if (c == '$') {
        int tag = Scan.dollarTagEnd(sql, i);
        if (tag < 0) {
          i++;
        } else {
          int close = sql.indexOf(sql.substring(i, tag), tag);
          i = close < 0 ? n : close + (tag - i);
        }
      } else if (Scan.isIdentStart(c)) {
        i = word(i, c, d);
      } else {
        if (c == '(') {
          parenDepth++;
        } else if (c == ')' && parenDepth > 0) {
          parenDepth--;
        }
        i++;
      }
      if (first < 0) {
        first = start;
      }
      last = i;
      hasToken |= token;
    }
    endStatement();
    return List.copyOf(spans);
  }

  /** A word, or a string whose prefix ({@code E B X N U&}) starts here; returns its end. */
  private int word(int i, char c, char d) {
    if (d == '\'' && "eEbBxXnN".indexOf(c) >= 0) {
      return quoteEnd(i + 1, c == 'e' || c == 'E');
    }
    if ((c == 'u' || c == 'U') && d == '&' && i + 2 < n) {
      char q = sql.charAt(i + 2);
      if (q == '\'' || q == '"') {
        return quoteEnd(i + 2, false);
      }
    }
    int end = i + 1;
    while (end < n && Scan.isIdentCont(sql.charAt(end))) {
      end++;
    }
    trackBeginEnd(i, end);
    return end;
  }

  /** psql's heuristic for semicolons inside SQL-standard function bodies. */
  private void trackBeginEnd(int start, int end) {
    if (wordCount < initials.length) {
      for (String w : ROUTINE_WORDS) {
        if (isWord(start, end, w)) {
          initials[wordCount] = w.charAt(0);
        }
      }
    }
    wordCount++;
    boolean definesRoutine =
        initials[0] == 'c'
            && (initials[1] == 'f'
                || initials[1] == 'p'
                || (initials[1] == 'o'
                    && initials[2] == 'r'
                    && (initials[3] == 'f' || initials[3] == 'p')));
    if (!definesRoutine || parenDepth != 0) {
      return;
    }
    if (isWord(start, end, "begin")) {
      beginDepth++;
    } else if (isWord(start, end, "case") && beginDepth > 0) {
      beginDepth++;
    } else if (isWord(start, end, "end") && beginDepth > 0) {
      beginDepth--;
    }
  }

  private boolean isWord(int start, int end, String lower) {
    return end - start == lower.length() && sql.regionMatches(true, start, lower, 0, end - start);
  }

  /**
   * The end of a quoted string or identifier whose opening quote is at {@code q}, honouring doubled
   * quotes, backslash escapes in {@code E''} strings and continuation lines; the end of input if it
   * is unterminated.
   */
  private int quoteEnd(int q, boolean backslashEscapes) {
    char quote = sql.charAt(q);
    int i = q + 1;
    while (i < n) {
      char c = sql.charAt(i);
      if (c == '\\' && backslashEscapes) {
        i += 2;
      } else if (c == quote) {
        if (i + 1 < n && sql.charAt(i + 1) == quote) {
          i += 2;
          continue;
        }
        int next = quote == '\'' ? Scan.continuation(sql, i + 1) : -1;
        if (next < 0) {
          return i + 1;
        }
        i = next + 1;
      } else {
        i++;
      }
    }
    return n;
  }

  private int orEnd(int end) {
    return end < 0 ? n : end;
  }

  private void endStatement() {
    if (hasToken) {
      spans.add(new Statements.Span(first, Math.min(last, n)));
    }
    first = -1;
    last = -1;
    hasToken = false;
    parenDepth = 0;
    beginDepth = 0;
    wordCount = 0;
    Arrays.fill(initials, '\0');
  }
}
