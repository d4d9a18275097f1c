package io.pgtrickle.sql.lex;

import io.pgtrickle.errors.PgTrickleException;
import io.pgtrickle.errors.SqlState;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Quoting of identifiers and literals, and parsing of user-supplied stream table names. */
public final class Identifiers {
  /** PostgreSQL's NAMEDATALEN - 1: the longest identifier, in bytes. */
  public static final int MAX_IDENTIFIER_BYTES = 63;

  private static final String NAME_HINT =
      "Use name, schema.name or double-quoted parts such as \"My Table\" or"
          + " \"sales\".\"Q1 totals\"; an unquoted part starts with a letter or underscore and"
          + " contains only letters, digits, _ and $.";

  private Identifiers() {}

  /**
   * Double-quotes {@code identifier}, doubling embedded quotes. Unlike PostgreSQL's quote_ident it
   * always quotes, so the result never depends on the keyword list or on case.
   */
  public static String quote(String identifier) {
    Objects.requireNonNull(identifier, "identifier");
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  /**
   * Single-quotes {@code value} as PostgreSQL's quote_literal does: quotes are doubled and, if the
   * value contains a backslash, backslashes are doubled and the literal gets the {@code E} prefix,
   * so it reads the same whatever standard_conforming_strings says.
   */
  public static String quoteLiteral(String value) {
    Objects.requireNonNull(value, "value");
    String quoted = value.replace("'", "''");
    if (value.indexOf('\\') >= 0) {
      return "E'" + quoted.replace("\\", "\\\\") + "'";
    }
    return "'" + quoted + "'";
  }

  /**
   * Parses a user-supplied stream table name: {@code orders}, {@code public.orders}, {@code "My
   * Table"} or {@code "sch"."x"}, with blanks allowed around the name and its dot. Unquoted parts
   * are folded to lower case.
   *
   * @throws PgTrickleException INVALID_NAME for anything else, including names over 63 bytes (which
   *     PostgreSQL would silently truncate)
   */
  public static QualifiedName parseQualifiedName(String input) throws PgTrickleException {
    if (input == null) {
      throw PgTrickleException.of(
          SqlState.NULL_VALUE_NOT_ALLOWED, "stream table name must not be NULL");
    }
    List<String> parts = new ArrayList<>(2);
    int n = input.length();
    int i = skipSpace(input, 0);
    while (true) {
      int end = i < n && input.charAt(i) == '"' ? quotedEnd(input, i) : unquotedEnd(input, i);
      if (end < 0) {
        throw invalid(input);
      }
      String part =
          input.charAt(i) == '"'
              ? input.substring(i + 1, end - 1).replace("\"\"", "\"")
              : Scan.foldCase(input.substring(i, end));
      if (part.getBytes(StandardCharsets.UTF_8).length > MAX_IDENTIFIER_BYTES) {
        throw PgTrickleException.builder(
                SqlState.INVALID_NAME,
                "invalid stream table name "
                    + display(input)
                    + ": name too long, at most "
                    + MAX_IDENTIFIER_BYTES
                    + " bytes")
            .hint(
                "PostgreSQL would truncate it to "
                    + MAX_IDENTIFIER_BYTES
                    + " bytes; choose a shorter name.")
            .build();
      }
      parts.add(part);
      i = skipSpace(input, end);
      if (i == n) {
        break;
      }
      if (input.charAt(i) != '.' || parts.size() == 2) {
        throw invalid(input);
      }
      i = skipSpace(input, i + 1);
    }
    return parts.size() == 1
        ? new QualifiedName(null, parts.get(0))
        : new QualifiedName(parts.get(0), parts.get(1));
  }

  /** The end of {@code [A-Za-z_][A-Za-z0-9_$]*} at {@code i}, or -1 if none starts there. */
  private static int unquotedEnd(String s, int i) {
    int n = s.length();
    if (i >= n || !(Scan.isAsciiLetter(s.charAt(i)) || s.charAt(i) == '_')) {
      return -1;
    }
    int j = i + 1;
    while (j < n) {
      char c = s.charAt(j);
      if (!(Scan.isAsciiLetter(c) || Scan.isDigit(c) || c == '_' || c == '$')) {
        break;
      }
      j++;
    }
    return j;
  }

  /** The offset after a non-empty {@code "..."} part at {@code i} (no NULs), or -1. */
  private static int quotedEnd(String s, int i) {
    int n = s.length();
    int j = i + 1;
    while (j < n) {
      char c = s.charAt(j);
      if (c == '\0') {
        return -1;
      }
      if (c == '"') {
        if (j + 1 < n && s.charAt(j + 1) == '"') {
          j += 2;
          continue;
        }
        return j == i + 1 ? -1 : j + 1;
      }
      j++;
    }
    return -1;
  }

  private static int skipSpace(String s, int i) {
    while (i < s.length() && Scan.isSpace(s.charAt(i))) {
      i++;
    }
    return i;
  }

  private static PgTrickleException invalid(String input) {
    return PgTrickleException.builder(
            SqlState.INVALID_NAME, "invalid stream table name " + display(input))
        .hint(NAME_HINT)
        .build();
  }

  /** The input in double quotes, as PostgreSQL shows names in messages. */
  private static String display(String input) {
    return "\"" + input + "\"";
  }
}
