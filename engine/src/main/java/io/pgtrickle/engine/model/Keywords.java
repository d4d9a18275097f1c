package io.pgtrickle.engine.model;

import io.pgtrickle.errors.PgTrickleException;
import io.pgtrickle.errors.SqlState;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Parses a user-supplied keyword (such as a refresh mode) into one of an enum's constants. */
final class Keywords {
  private Keywords() {}

  /**
   * Matches {@code value} case-insensitively against the constants' names.
   *
   * @param parameter the API parameter name, for the error message
   */
  static <E extends Enum<E>> E parse(Class<E> type, String parameter, String value)
      throws PgTrickleException {
    String wanted = value.trim().toUpperCase(Locale.ROOT);
    for (E e : type.getEnumConstants()) {
      if (e.name().equals(wanted)) {
        return e;
      }
    }
    throw PgTrickleException.builder(
            SqlState.INVALID_PARAMETER_VALUE,
            "invalid value for " + parameter + ": '" + value + "'")
        .hint("Valid values are " + choices(type) + ".")
        .build();
  }

  /** The constants as a quoted, comma-separated list in the spelling the catalog stores. */
  static <E extends Enum<E>> String choices(Class<E> type) {
    return Arrays.stream(type.getEnumConstants())
        .map(e -> "'" + e + "'")
        .collect(Collectors.joining(", "));
  }
}
