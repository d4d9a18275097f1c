package io.pgtrickle.server;

import io.pgtrickle.engine.session.Row;
import io.pgtrickle.errors.PgTrickleException;
import io.pgtrickle.server.protocol.MessageTags;
import java.util.List;
import java.util.Map;

/**
 * What the server answered to one exchange of the engine's, up to and including ReadyForQuery.
 *
 * @param rows the rows of the last result set, in text format
 * @param commandTag the tag of the last CommandComplete, or null
 * @param error the fields of the first ErrorResponse, or null
 * @param transactionStatus the status byte of the closing ReadyForQuery
 */
record EngineReply(
    List<Row> rows, String commandTag, Map<Character, String> error, byte transactionStatus) {

  /** Whether the closing ReadyForQuery reports an open (possibly failed) transaction block. */
  boolean inTransaction() {
    return transactionStatus != MessageTags.TransactionStatus.IDLE;
  }

  /** The server's error as an exception that keeps every field, marked as raised by the server. */
  PgTrickleException exception() {
    String state = error.getOrDefault('C', "XX000");
    return PgTrickleException.builder(state, error.getOrDefault('M', "unknown server error"))
        .detail(error.get('D'))
        .hint(error.get('H'))
        .position(intField('P'))
        .internal(intField('p'), error.get('q'))
        .raisedByServer()
        .build();
  }

  private int intField(char code) {
    String v = error.get(code);
    if (v == null) {
      return 0;
    }
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
