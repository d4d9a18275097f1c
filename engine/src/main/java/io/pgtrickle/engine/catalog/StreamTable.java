package io.pgtrickle.engine.catalog;

import io.pgtrickle.engine.model.RefreshMode;
import io.pgtrickle.engine.model.Status;
import io.pgtrickle.engine.model.Tier;
import io.pgtrickle.sql.lex.Identifiers;

/**
 * One row of {@code pgtrickle.pgt_stream_tables}, as far as the engine needs it.
 *
 * @param relid the OID of the storage table, 0 when the table no longer exists
 * @param effectiveMode the mode refreshes actually run in (AUTO resolved), or null before the first
 */
public record StreamTable(
    long id,
    long relid,
    String schema,
    String name,
    String definingQuery,
    String originalQuery,
    String schedule,
    RefreshMode refreshMode,
    RefreshMode effectiveMode,
    Status status,
    Tier tier,
    boolean populated,
    int consecutiveErrors) {

  /** The quoted, schema-qualified name to use in SQL. */
  public String sqlName() {
    return Identifiers.quote(schema) + "." + Identifiers.quote(name);
  }

  /** The name to show in messages: {@code schema.name}. */
  public String displayName() {
    return schema + "." + name;
  }

  /** Whether its refreshes apply captured changes (DIFFERENTIAL or IMMEDIATE). */
  public boolean incremental() {
    return effectiveMode != null && effectiveMode.isIncremental();
  }
}
