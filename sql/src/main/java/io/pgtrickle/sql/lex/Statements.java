package io.pgtrickle.sql.lex;

import java.util.ArrayList;
import java.util.List;

/**
 * Cheap statement-level scans of client SQL: splitting a simple-query string into statements and
 * reading a statement's first keyword. Neither tokenizes fully nor throws: text that would not lex
 * (an unterminated string, say) is passed on for PostgreSQL to reject with its own error.
 */
public final class Statements {
  /** Keywords returned without allocating, because they start almost every statement. */
  private static final String[] COMMON_KEYWORDS =
      ("select insert update delete with values table begin commit rollback start end "
              + "abort savepoint release set show reset create drop alter truncate copy explain "
              + "prepare execute deallocate discard listen unlisten notify lock fetch move close "
              + "declare call do merge grant revoke comment refresh vacuum analyze checkpoint")
          .split(" ");

  static {
    // Interned, so a result equals the "select" literal callers compare with, identity included.
    for (int i = 0; i < COMMON_KEYWORDS.length; i++) {
      COMMON_KEYWORDS[i] = COMMON_KEYWORDS[i].intern();
    }
  }

  private Statements() {}

  /**
   * A statement's extent in the original text, from its first to its last non-blank character, not
   * including the terminating semicolon; leading and trailing comments are kept, since they may be
   * planner hints.
   *
   * @param start offset of the first character
   * @param end offset just past the last character
   */
  public record Span(int start, int end) {
    public Span {
      if (start < 0 || end < start) {
        throw new IllegalArgumentException("bad span [" + start + ", " + end + ")");
      }
    }

    /** The statement's text within {@code sql}. */
    public String text(String sql) {
      return sql.substring(start, end);
    }
  }

  /**
   * The statements of {@code sql}, split at semicolons outside strings, quoted identifiers,
   * comments, dollar quotes, parentheses and {@code BEGIN ... END} bodies of SQL-standard function
   * definitions. Statements holding nothing but blanks and comments are dropped. A statement that
   * ends in a {@code --} comment runs to the end of its line, so join statements with newlines.
   */
  public static List<String> split(String sql) {
    List<String> out = new ArrayList<>();
    for (Span s : spans(sql)) {
      out.add(s.text(sql));
    }
    return List.copyOf(out);
  }

  /** The extents of the statements {@link #split} would return. */
  public static List<Span> spans(String sql) {
    return new Splitter(sql).run();
  }

  /**
   * The first word of {@code sql} in lower case, after blanks, comments and opening parentheses, or
   * "" when the statement does not start with a word. Runs on every statement a client sends, so it
   * neither tokenizes nor allocates, except for an uncommon keyword's result string.
   */
  public static String firstKeyword(String sql) {
    int n = sql.length();
    int i = 0;
    while (i < n) {
      char c = sql.charAt(i);
      if (Scan.isSpace(c) || c == '(') {
        i++;
      } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
        i = Scan.lineCommentEnd(sql, i);
      } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
        i = Scan.blockCommentEnd(sql, i);
        if (i < 0) {
          return "";
        }
      } else {
        break;
      }
    }
    if (i >= n || !Scan.isAsciiLetter(sql.charAt(i))) {
      return "";
    }
    int end = i + 1;
    while (end < n && Scan.isIdentCont(sql.charAt(end))) {
      end++;
    }
    for (String k : COMMON_KEYWORDS) {
      if (k.length() == end - i && equalsIgnoreAsciiCase(sql, i, k)) {
        return k;
      }
    }
    return Scan.foldCase(sql.substring(i, end));
  }

  /** ASCII-only comparison, so that no other letter (such as U+017F, long s) matches 's'. */
  private static boolean equalsIgnoreAsciiCase(String sql, int from, String lower) {
    for (int k = 0; k < lower.length(); k++) {
      char c = sql.charAt(from + k);
      if (c >= 'A' && c <= 'Z') {
        c += 'a' - 'A';
      }
      if (c != lower.charAt(k)) {
        return false;
      }
    }
    return true;
  }
}
