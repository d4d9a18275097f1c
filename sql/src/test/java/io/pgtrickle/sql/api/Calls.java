package io.pgtrickle.sql.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.errors.PgTrickleException;
import io.pgtrickle.sql.api.ArgValue.Literal;

/** Shorthands shared by the recogniser tests. */
final class Calls {
  private Calls() {}

  static ApiCall call(String sql) throws PgTrickleException {
    return ApiCallRecognizer.recognize(sql, false).orElseThrow();
  }

  static ApiCall jdbcCall(String sql) throws PgTrickleException {
    return ApiCallRecognizer.recognize(sql, true).orElseThrow();
  }

  static PgTrickleException fail(String sql) {
    return fail(sql, false);
  }

  static PgTrickleException fail(String sql, boolean jdbc) {
    try {
      ApiCallRecognizer.recognize(sql, jdbc);
    } catch (PgTrickleException e) {
      return e;
    }
    throw new AssertionError("expected an error for: " + sql);
  }

  static Literal lit(Object v) {
    return new Literal(v);
  }

  /** The 1-based position of the first occurrence of {@code what} in {@code sql}. */
  static int pos(String sql, String what) {
    int i = sql.indexOf(what);
    assertThat(i).as("%s occurs in %s", what, sql).isNotNegative();
    return i + 1;
  }
}
