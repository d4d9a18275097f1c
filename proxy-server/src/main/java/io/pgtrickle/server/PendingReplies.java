package io.pgtrickle.server;

import io.pgtrickle.server.protocol.MessageTags.Backend;
import io.pgtrickle.server.protocol.MessageTags.Frontend;

/**
 * The replies the server still owes, in the order of the messages that asked for them, so the proxy
 * knows which message each reply answers and when the server has answered everything sent so far,
 * even in the middle of an extended-protocol batch, where no ReadyForQuery marks the point.
 *
 * <p>Each entry is one message sent upstream: its kind and the proxy's flags for its replies. The
 * server answers in order; an error in the extended protocol makes it skip every message up to the
 * next Sync, and those entries go with it.
 */
final class PendingReplies {
  /** Flag: the proxy's own message; its replies are not for the client. */
  static final int HIDDEN = 0x10;

  /**
   * Flag: a client Query run inside a transaction of the proxy's; its last CommandComplete and its
   * ReadyForQuery are held back until the proxy has finished the transaction.
   */
  static final int WRAPPED = 0x20;

  /**
   * Flag: a client Query after which the proxy catches stream tables up; its ReadyForQuery is held
   * back until then.
   */
  static final int CATCH_UP = 0x40;

  private static final int KIND_MASK = 0x0f;
  private static final int PARSE = 1;
  private static final int BIND = 2;
  private static final int DESCRIBE = 3;
  private static final int EXECUTE = 4;
  private static final int CLOSE = 5;
  private static final int SYNC = 6;
  private static final int QUERY = 7;
  private static final int FUNCTION_CALL = 8;

  private byte[] ring = new byte[32];
  private int head;
  private int size;
  private int readiesOwed;
  private boolean extendedOpen;
  private boolean discarding;

  /**
   * Records a frontend message sent upstream.
   *
   * @param type the message's type byte
   * @param flags {@link #HIDDEN}, {@link #WRAPPED}, {@link #CATCH_UP} or 0
   */
  void sent(byte type, int flags) {
    int kind = kindOf(type);
    if (kind == 0) {
      return; // Flush, CopyData, CopyDone, CopyFail and Terminate are not answered by themselves
    }
    if (size == ring.length) {
      byte[] bigger = new byte[ring.length * 2];
      for (int i = 0; i < size; i++) {
        bigger[i] = ring[(head + i) % ring.length];
      }
      ring = bigger;
      head = 0;
    }
    ring[(head + size) % ring.length] = (byte) (kind | flags);
    size++;
    if (endsWithReady(kind)) {
      readiesOwed++;
      extendedOpen = false;
      discarding = false;
    } else {
      extendedOpen = true;
    }
  }

  /**
   * Takes in one reply and tells which message it answers.
   *
   * @return the flags of the entry the reply belongs to; 0 for a reply that belongs to none (a
   *     notice, a notification, a parameter status, or one nothing was sent for)
   */
  int received(byte type) {
    if (size == 0
        || type == Backend.NOTICE_RESPONSE
        || type == Backend.NOTIFICATION_RESPONSE
        || type == Backend.PARAMETER_STATUS) {
      return 0;
    }
    int entry = ring[head];
    int kind = entry & KIND_MASK;
    int flags = entry & ~KIND_MASK;
    if (type == Backend.ERROR_RESPONSE) {
      if (!endsWithReady(kind)) {
        // The server skips the rest of the batch, up to its Sync.
        while (size > 0 && !endsWithReady(ring[head] & KIND_MASK)) {
          pop();
        }
        discarding = size == 0;
      }
      return flags;
    }
    if (completes(kind, type)) {
      pop();
      if (kind == SYNC || kind == QUERY || kind == FUNCTION_CALL) {
        readiesOwed--;
      }
    }
    return flags;
  }

  /** Whether the server has answered everything sent. */
  boolean isEmpty() {
    return size == 0;
  }

  /** How many ReadyForQuery messages the server still owes. */
  int readiesOwed() {
    return readiesOwed;
  }

  /**
   * Whether extended-protocol messages were sent since the last Sync (or Query): the server may be
   * holding their replies until a Flush, and an implicit transaction may be open.
   */
  boolean extendedOpen() {
    return extendedOpen;
  }

  /**
   * Whether the server is skipping what is sent now: an extended-protocol message failed, and no
   * Sync has been sent since.
   */
  boolean discarding() {
    return discarding;
  }

  private void pop() {
    head = (head + 1) % ring.length;
    size--;
  }

  private static boolean completes(int kind, byte type) {
    return switch (kind) {
      case PARSE -> type == Backend.PARSE_COMPLETE;
      case BIND -> type == Backend.BIND_COMPLETE;
      case CLOSE -> type == Backend.CLOSE_COMPLETE;
      case DESCRIBE -> type == Backend.ROW_DESCRIPTION || type == Backend.NO_DATA;
      case EXECUTE ->
          type == Backend.COMMAND_COMPLETE
              || type == Backend.EMPTY_QUERY_RESPONSE
              || type == Backend.PORTAL_SUSPENDED;
      default -> type == Backend.READY_FOR_QUERY;
    };
  }

  private static boolean endsWithReady(int kind) {
    return kind == SYNC || kind == QUERY || kind == FUNCTION_CALL;
  }

  private static int kindOf(byte type) {
    return switch (type) {
      case Frontend.PARSE -> PARSE;
      case Frontend.BIND -> BIND;
      case Frontend.DESCRIBE -> DESCRIBE;
      case Frontend.EXECUTE -> EXECUTE;
      case Frontend.CLOSE -> CLOSE;
      case Frontend.SYNC -> SYNC;
      case Frontend.QUERY -> QUERY;
      case Frontend.FUNCTION_CALL -> FUNCTION_CALL;
      default -> 0;
    };
  }
}
