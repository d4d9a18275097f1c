package io.pgtrickle.server.protocol;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the few message payloads the proxy must look into; none moves the payload's reader index,
 * so the frame can still be forwarded as it is.
 */
public final class MessageReader {
  private MessageReader() {}

  /**
   * The fields of an ErrorResponse or NoticeResponse payload by their code ({@code 'C'} SQLSTATE,
   * {@code 'M'} message, ...), in the order sent.
   */
  public static Map<Character, String> fields(ByteBuf payload) {
    Map<Character, String> fields = new LinkedHashMap<>();
    int i = payload.readerIndex();
    int end = payload.writerIndex();
    while (true) {
      if (i >= end) {
        throw new ProtocolViolationException("error or notice fields lack their terminator");
      }
      byte code = payload.getByte(i);
      if (code == 0) {
        if (i != end - 1) {
          throw new ProtocolViolationException("error or notice has bytes after its terminator");
        }
        return Collections.unmodifiableMap(fields);
      }
      int valueEnd = cStringEnd(payload, i + 1, end, "error or notice field");
      fields.put((char) (code & 0xff), utf8(payload, i + 1, valueEnd));
      i = valueEnd + 1;
    }
  }

  /** The SQL text of a Query payload. */
  public static String query(ByteBuf payload) {
    int start = payload.readerIndex();
    int end = cStringEnd(payload, start, payload.writerIndex(), "Query");
    if (end != payload.writerIndex() - 1) {
      throw new ProtocolViolationException("Query has bytes after its terminator");
    }
    return utf8(payload, start, end);
  }

  /**
   * The transaction status of a ReadyForQuery payload, see {@link MessageTags.TransactionStatus}.
   */
  public static byte readyForQueryStatus(ByteBuf payload) {
    if (payload.readableBytes() != 1) {
      throw new ProtocolViolationException(
          "ReadyForQuery must have 1 byte of payload, not " + payload.readableBytes());
    }
    byte status = payload.getByte(payload.readerIndex());
    if (status != MessageTags.TransactionStatus.IDLE
        && status != MessageTags.TransactionStatus.IN_TRANSACTION
        && status != MessageTags.TransactionStatus.FAILED) {
      throw new ProtocolViolationException(
          "invalid transaction status " + FrameDecoderBase.describe(status) + " in ReadyForQuery");
    }
    return status;
  }

  private static int cStringEnd(ByteBuf buf, int from, int to, String what) {
    int nul = buf.indexOf(from, to, (byte) 0);
    if (nul < 0) {
      throw new ProtocolViolationException(what + " has an unterminated string");
    }
    return nul;
  }

  private static String utf8(ByteBuf buf, int from, int to) {
    return buf.toString(from, to - from, StandardCharsets.UTF_8);
  }
}
