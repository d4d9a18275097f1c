package io.pgtrickle.engine.model;

import io.pgtrickle.errors.PgTrickleException;
import java.util.Locale;

/**
 * The change-capture mode a stream table asks for. Only trigger capture exists here; 'auto' and
 * 'wal' are accepted and stored for compatibility, and capture uses triggers.
 */
public enum CdcMode {
  /** Let the engine choose (triggers). */
  AUTO,
  /** Row-change triggers. */
  TRIGGER,
  /** Logical decoding; stored, not implemented (capture uses triggers). */
  WAL;

  /** Parses the {@code cdc_mode} parameter. */
  public static CdcMode parse(String value) throws PgTrickleException {
    return Keywords.parse(CdcMode.class, "cdc_mode", value);
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
