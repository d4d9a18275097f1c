package io.pgtrickle.testing;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Readable, unique-per-JVM names for test databases ({@code stream_table_oracle_it_3}) and the
 * roles created in them.
 */
final class DatabaseNames {

  /** PostgreSQL truncates identifiers to NAMEDATALEN - 1 bytes. */
  static final int MAX_IDENTIFIER_BYTES = 63;

  /**
   * Leaves room for the counter and for role names prefixed with the database name, so that {@code
   * <database>_<role>} still fits in 63 bytes for role names up to ~25 characters.
   */
  private static final int MAX_BASE_LENGTH = 32;

  private static final AtomicInteger COUNTER = new AtomicInteger();

  private DatabaseNames() {}

  /** The next name for a database of {@code testClass}; never the same twice in one JVM. */
  static String next(Class<?> testClass) {
    return base(testClass.getSimpleName()) + "_" + COUNTER.incrementAndGet();
  }

  /**
   * Lower snake case of a class name, restricted to {@code [a-z0-9_]} and starting with a letter.
   */
  static String base(String simpleName) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < simpleName.length(); i++) {
      char c = simpleName.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        if (startsWord(simpleName, i) && out.length() > 0 && out.charAt(out.length() - 1) != '_') {
          out.append('_');
        }
        out.append(Character.toLowerCase(c));
      } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
        out.append(c);
      } else if (out.length() > 0 && out.charAt(out.length() - 1) != '_') {
        out.append('_');
      }
    }
    String name = out.toString().replaceAll("_+$", "");
    if (name.isEmpty() || !Character.isLetter(name.charAt(0))) {
      name = "t_" + name;
    }
    if (name.length() > MAX_BASE_LENGTH) {
      name = name.substring(0, MAX_BASE_LENGTH).replaceAll("_+$", "");
    }
    return name;
  }

  /** {@code <database>_<role>}, checked to fit PostgreSQL's identifier limit. */
  static String role(String databaseName, String role) {
    if (!role.matches("[a-z][a-z0-9_]*")) {
      throw new IllegalArgumentException(
          "role name must match [a-z][a-z0-9_]*, so it needs no quoting in tests: " + role);
    }
    String name = databaseName + "_" + role;
    if (name.getBytes(StandardCharsets.UTF_8).length > MAX_IDENTIFIER_BYTES) {
      throw new IllegalArgumentException(
          "role name "
              + name
              + " is longer than "
              + MAX_IDENTIFIER_BYTES
              + " bytes; use a shorter role name");
    }
    return name;
  }

  /** An upper-case letter starts a word after a lower-case letter or digit, or ends an acronym. */
  private static boolean startsWord(String s, int i) {
    if (i == 0) {
      return true;
    }
    char prev = s.charAt(i - 1);
    if (Character.isLowerCase(prev) || Character.isDigit(prev)) {
      return true;
    }
    return Character.isUpperCase(prev)
        && i + 1 < s.length()
        && Character.isLowerCase(s.charAt(i + 1));
  }
}
