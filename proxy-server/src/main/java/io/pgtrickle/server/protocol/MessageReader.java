package io.pgtrickle.server.protocol;

import io.netty.buffer.ByteBuf;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
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
    return query(payload, StandardCharsets.UTF_8);
  }

  /** The SQL text of a Query payload in the connection's client encoding. */
  public static String query(ByteBuf payload, Charset charset) {
    int start = payload.readerIndex();
    int end = cStringEnd(payload, start, payload.writerIndex(), "Query");
    if (end != payload.writerIndex() - 1) {
      throw new ProtocolViolationException("Query has bytes after its terminator");
    }
    return payload.toString(start, end - start, charset);
  }

  /**
   * Whether the payload contains {@code lowerCaseWord} (ASCII letters) in any case. Run on every
   * Query and Parse before anything is decoded, so statements that cannot be API calls cost a byte
   * scan and no allocation.
   */
  public static boolean mentions(ByteBuf payload, String lowerCaseWord) {
    int len = lowerCaseWord.length();
    byte first = (byte) lowerCaseWord.charAt(0);
    for (int i = payload.readerIndex(), last = payload.writerIndex() - len; i <= last; i++) {
      if ((payload.getByte(i) | 0x20) == first && matchesAt(payload, i, lowerCaseWord)) {
        return true;
      }
    }
    return false;
  }

  private static boolean matchesAt(ByteBuf buf, int at, String lowerCaseWord) {
    for (int j = 1; j < lowerCaseWord.length(); j++) {
      if ((buf.getByte(at + j) | 0x20) != lowerCaseWord.charAt(j)) {
        return false;
      }
    }
    return true;
  }

  /**
   * A Parse message.
   *
   * @param statement the prepared statement's name, empty for the unnamed statement
   * @param query the SQL text
   * @param parameterTypes the OIDs the client declared, 0 where it left the type open
   */
  public record Parse(String statement, String query, int[] parameterTypes) {}

  /** Reads a Parse payload. */
  public static Parse parse(ByteBuf payload, Charset charset) {
    Cursor c = new Cursor(payload, "Parse");
    String statement = c.cString(charset);
    String query = c.cString(charset);
    int n = c.uint16();
    int[] types = new int[n];
    for (int i = 0; i < n; i++) {
      types[i] = c.int32();
    }
    c.end();
    return new Parse(statement, query, types);
  }

  /**
   * A Bind message.
   *
   * @param portal the portal's name, empty for the unnamed portal
   * @param statement the prepared statement's name
   * @param formats the parameter format codes as sent: none (all text), one (for all), or one each
   * @param values the parameter values, null for SQL NULL
   */
  public record Bind(String portal, String statement, short[] formats, List<byte[]> values) {
    /** Whether parameter {@code i} (0-based) is sent in binary. */
    public boolean isBinary(int i) {
      short f = formats.length == 0 ? 0 : formats.length == 1 ? formats[0] : formats[i];
      return f == 1;
    }
  }

  /** The portal and statement names of a Bind payload, without reading its values. */
  public static String[] bindNames(ByteBuf payload, Charset charset) {
    Cursor c = new Cursor(payload, "Bind");
    return new String[] {c.cString(charset), c.cString(charset)};
  }

  /** Reads a Bind payload, values included. */
  public static Bind bind(ByteBuf payload, Charset charset) {
    Cursor c = new Cursor(payload, "Bind");
    String portal = c.cString(charset);
    String statement = c.cString(charset);
    int nFormats = c.uint16();
    short[] formats = new short[nFormats];
    for (int i = 0; i < nFormats; i++) {
      formats[i] = (short) c.uint16();
    }
    int n = c.uint16();
    if (nFormats > 1 && nFormats != n) {
      throw new ProtocolViolationException(
          "Bind has " + nFormats + " parameter formats for " + n + " parameters");
    }
    List<byte[]> values = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int len = c.int32();
      values.add(len == -1 ? null : c.bytes(len));
    }
    // The result formats that follow are the server's business.
    return new Bind(portal, statement, formats, Collections.unmodifiableList(values));
  }

  /** The portal name of an Execute payload. */
  public static String executePortal(ByteBuf payload, Charset charset) {
    return new Cursor(payload, "Execute").cString(charset);
  }

  /**
   * A Close or Describe message.
   *
   * @param kind {@code 'S'} for a prepared statement, {@code 'P'} for a portal
   * @param name the object's name, empty for the unnamed one
   */
  public record Target(byte kind, String name) {}

  /** Reads a Close or Describe payload. */
  public static Target target(ByteBuf payload, Charset charset) {
    Cursor c = new Cursor(payload, "Close or Describe");
    byte kind = (byte) c.uint8();
    if (kind != 'S' && kind != 'P') {
      throw new ProtocolViolationException(
          "invalid Close or Describe kind " + FrameDecoderBase.describe(kind));
    }
    return new Target(kind, c.cString(charset));
  }

  /** The values of a DataRow payload in text format, null for SQL NULL. */
  public static List<String> dataRow(ByteBuf payload, Charset charset) {
    Cursor c = new Cursor(payload, "DataRow");
    int n = c.uint16();
    List<String> values = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int len = c.int32();
      values.add(len == -1 ? null : c.string(len, charset));
    }
    c.end();
    return values;
  }

  /** The tag of a CommandComplete payload, such as {@code INSERT 0 3}. */
  public static String commandTag(ByteBuf payload) {
    Cursor c = new Cursor(payload, "CommandComplete");
    String tag = c.cString(StandardCharsets.UTF_8);
    c.end();
    return tag;
  }

  /** The row count a command tag reports (its last word, if numeric), 0 for other commands. */
  public static long rowCount(String tag) {
    int space = tag.lastIndexOf(' ');
    String last = tag.substring(space + 1);
    if (last.isEmpty() || !last.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
      return 0;
    }
    return Long.parseLong(last);
  }

  /** The name and value of a ParameterStatus payload. */
  public static String[] parameterStatus(ByteBuf payload) {
    Cursor c = new Cursor(payload, "ParameterStatus");
    String[] nameValue = {c.cString(StandardCharsets.UTF_8), c.cString(StandardCharsets.UTF_8)};
    c.end();
    return nameValue;
  }

  /** Sequential reads within a payload, each bounds-checked into a protocol violation. */
  private static final class Cursor {
    private final ByteBuf buf;
    private final String what;
    private int i;

    Cursor(ByteBuf buf, String what) {
      this.buf = buf;
      this.what = what;
      this.i = buf.readerIndex();
    }

    private void need(int n) {
      if (n < 0 || buf.writerIndex() - i < n) {
        throw new ProtocolViolationException(what + " message is too short");
      }
    }

    int uint8() {
      need(1);
      return buf.getUnsignedByte(i++);
    }

    int uint16() {
      need(2);
      int v = buf.getUnsignedShort(i);
      i += 2;
      return v;
    }

    int int32() {
      need(4);
      int v = buf.getInt(i);
      i += 4;
      return v;
    }

    byte[] bytes(int n) {
      need(n);
      byte[] b = new byte[n];
      buf.getBytes(i, b);
      i += n;
      return b;
    }

    String string(int n, Charset charset) {
      need(n);
      String s = buf.toString(i, n, charset);
      i += n;
      return s;
    }

    String cString(Charset charset) {
      int end = cStringEnd(buf, i, buf.writerIndex(), what);
      String s = buf.toString(i, end - i, charset);
      i = end + 1;
      return s;
    }

    void end() {
      if (i != buf.writerIndex()) {
        throw new ProtocolViolationException(what + " message has trailing bytes");
      }
    }
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
