package io.pgtrickle.sql.api;

/**
 * PostgreSQL's boolean input rules (boolin / parse_bool), so "yes" and "of" behave as on the
 * server.
 */
final class PgBoolean {
  private PgBoolean() {}

  /**
   * The boolean {@code input} denotes, or null if PostgreSQL would reject it. Accepts, ignoring
   * case and surrounding blanks, any prefix of true/false/yes/no, on, at least "of" of off, 1 and
   * 0.
   */
  static Boolean parse(String input) {
    int start = 0;
    int end = input.length();
    while (start < end && isSpace(input.charAt(start))) {
      start++;
    }
    while (end > start && isSpace(input.charAt(end - 1))) {
      end--;
    }
    int len = end - start;
    if (len == 0) {
      return null;
    }
    switch (Character.toLowerCase(input.charAt(start))) {
      case 't':
        return prefixOf(input, start, len, "true") ? Boolean.TRUE : null;
      case 'f':
        return prefixOf(input, start, len, "false") ? Boolean.FALSE : null;
      case 'y':
        return prefixOf(input, start, len, "yes") ? Boolean.TRUE : null;
      case 'n':
        return prefixOf(input, start, len, "no") ? Boolean.FALSE : null;
      case 'o':
        // "o" alone is ambiguous between on and off.
        if (len >= 2 && prefixOf(input, start, len, "on")) {
          return Boolean.TRUE;
        }
        return len >= 2 && prefixOf(input, start, len, "off") ? Boolean.FALSE : null;
      case '1':
        return len == 1 ? Boolean.TRUE : null;
      case '0':
        return len == 1 ? Boolean.FALSE : null;
      default:
        return null;
    }
  }

  private static boolean prefixOf(String input, int start, int len, String word) {
    return len <= word.length() && input.regionMatches(true, start, word, 0, len);
  }

  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\u000B';
  }
}
