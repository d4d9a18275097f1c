package io.pgtrickle.engine.model;

import io.pgtrickle.errors.PgTrickleException;
import java.util.Locale;

/** Whether the members of a diamond in the dependency graph are refreshed together. */
public enum DiamondConsistency {
  /** Each member is refreshed on its own. */
  NONE,
  /** The members of a diamond are refreshed in one transaction. */
  ATOMIC;

  /** Parses the {@code diamond_consistency} parameter. */
  public static DiamondConsistency parse(String value) throws PgTrickleException {
    return Keywords.parse(DiamondConsistency.class, "diamond_consistency", value);
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
