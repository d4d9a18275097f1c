package io.pgtrickle.engine.model;

import io.pgtrickle.errors.PgTrickleException;
import io.pgtrickle.errors.SqlState;

/** The lifecycle state of a stream table. */
public enum Status {
  /** Created but not yet populated. */
  INITIALIZING,
  /** Refreshed normally. */
  ACTIVE,
  /** Not refreshed until resumed: set by the user, or after repeated failures. */
  SUSPENDED,
  /** The last refresh failed. */
  ERROR;

  /** Parses the {@code status} parameter of {@code alter_stream_table}: ACTIVE or SUSPENDED. */
  public static Status parseSettable(String value) throws PgTrickleException {
    Status s = Keywords.parse(Status.class, "status", value);
    if (s != ACTIVE && s != SUSPENDED) {
      throw PgTrickleException.builder(
              SqlState.INVALID_PARAMETER_VALUE, "invalid value for status: '" + value + "'")
          .hint("A stream table's status can be set to 'ACTIVE' or 'SUSPENDED'.")
          .build();
    }
    return s;
  }
}
