package io.pgtrickle.server.protocol;

import io.netty.handler.codec.DecoderException;
import io.pgtrickle.errors.PgTrickleException;
import io.pgtrickle.errors.SqlState;

/**
 * A peer broke the wire protocol (SQLSTATE 08P01); the decoder that raised it ignores all further
 * input, so the connection can only be answered with an error and closed.
 */
// Extends DecoderException so ByteToMessageDecoder passes it on as is instead of wrapping it.
public final class ProtocolViolationException extends DecoderException {
  private static final long serialVersionUID = 1L;

  /** A violation described by a message that names what was wrong and the offending value. */
  public ProtocolViolationException(String message) {
    super(message);
  }

  /** The same error as the project's SQL exception, ready to be sent as an ErrorResponse. */
  public PgTrickleException toSqlException() {
    return PgTrickleException.builder(SqlState.PROTOCOL_VIOLATION, getMessage())
        .cause(this)
        .build();
  }
}
