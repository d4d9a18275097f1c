package io.pgtrickle.server.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgtrickle.errors.PgTrickleException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Writes the backend messages the proxy answers with itself, each as a new buffer, and holds the
 * framing and string primitives {@link FrontendMessages} shares.
 */
public final class BackendMessages {
  /** Type OID of {@code text}. */
  public static final int TEXT_OID = 25;

  /** Type OID of {@code void}, the result type of the pg_trickle write functions. */
  public static final int VOID_OID = 2278;

  private BackendMessages() {}

  /** A typed message: the type byte, the length (filled in afterwards), and what body writes. */
  public static ByteBuf writeFrame(ByteBufAllocator alloc, byte type, Consumer<ByteBuf> body) {
    ByteBuf out = alloc.buffer();
    try {
      out.writeByte(type).writeInt(0);
      body.accept(out);
      out.setInt(1, out.writerIndex() - 1);
      return out;
    } catch (RuntimeException | Error e) {
      out.release();
      throw e;
    }
  }

  /**
   * An ErrorResponse (or NoticeResponse, by {@code type}) with the given fields in order; null
   * values are left out.
   */
  public static ByteBuf fields(ByteBufAllocator alloc, byte type, Map<Character, String> fields) {
    return writeFrame(
        alloc,
        type,
        out -> {
          fields.forEach(
              (code, value) -> {
                if (value != null) {
                  out.writeByte(code);
                  writeCString(out, value);
                }
              });
          out.writeByte(0);
        });
  }

  /**
   * An ErrorResponse at severity ERROR with fields S, V, C, M and, where present, D, H and P.
   *
   * @param position the 1-based character position in the statement, or 0 for none
   */
  public static ByteBuf errorResponse(
      ByteBufAllocator alloc,
      String sqlState,
      String message,
      String detail,
      String hint,
      int position) {
    return fields(
        alloc,
        MessageTags.Backend.ERROR_RESPONSE,
        errorFields("ERROR", sqlState, message, detail, hint, position));
  }

  /**
   * An ErrorResponse at severity FATAL: the server ends the session after sending it, and so does
   * the proxy.
   */
  public static ByteBuf fatalResponse(
      ByteBufAllocator alloc, String sqlState, String message, String hint) {
    return fields(
        alloc,
        MessageTags.Backend.ERROR_RESPONSE,
        errorFields("FATAL", sqlState, message, null, hint, 0));
  }

  /** A NoticeResponse at severity WARNING. */
  public static ByteBuf warning(
      ByteBufAllocator alloc, String sqlState, String message, String hint) {
    return fields(
        alloc,
        MessageTags.Backend.NOTICE_RESPONSE,
        errorFields("WARNING", sqlState, message, null, hint, 0));
  }

  /**
   * An ErrorResponse carrying the state, message, detail, hint, position and internal query of
   * {@code e}.
   */
  public static ByteBuf errorResponse(ByteBufAllocator alloc, PgTrickleException e) {
    Map<Character, String> fields =
        errorFields("ERROR", e.getSQLState(), e.getMessage(), e.detail(), e.hint(), e.position());
    if (e.internalQuery() != null) {
      fields.put('p', e.internalPosition() > 0 ? Integer.toString(e.internalPosition()) : null);
      fields.put('q', e.internalQuery());
    }
    return fields(alloc, MessageTags.Backend.ERROR_RESPONSE, fields);
  }

  private static Map<Character, String> errorFields(
      String severity, String sqlState, String message, String detail, String hint, int position) {
    Map<Character, String> fields = new LinkedHashMap<>();
    fields.put('S', severity);
    // V is the untranslated severity (since 9.6), which clients match on instead of S.
    fields.put('V', severity);
    fields.put('C', sqlState);
    fields.put('M', message);
    fields.put('D', detail);
    fields.put('H', hint);
    fields.put('P', position > 0 ? Integer.toString(position) : null);
    return fields;
  }

  /** A ReadyForQuery with a status from {@link MessageTags.TransactionStatus}. */
  public static ByteBuf readyForQuery(ByteBufAllocator alloc, byte status) {
    return writeFrame(alloc, MessageTags.Backend.READY_FOR_QUERY, out -> out.writeByte(status));
  }

  /** A CommandComplete with a tag such as {@code SELECT 1} or {@code REFRESH STREAM TABLE}. */
  public static ByteBuf commandComplete(ByteBufAllocator alloc, String tag) {
    return writeFrame(alloc, MessageTags.Backend.COMMAND_COMPLETE, out -> writeCString(out, tag));
  }

  /** A RowDescription of one text-format column of a variable-length type. */
  public static ByteBuf rowDescription(ByteBufAllocator alloc, String columnName, int typeOid) {
    return rowDescription(alloc, columnName, typeOid, -1);
  }

  /** A RowDescription of one text-format column not taken from a table. */
  public static ByteBuf rowDescription(
      ByteBufAllocator alloc, String columnName, int typeOid, int typeSize) {
    return writeFrame(
        alloc,
        MessageTags.Backend.ROW_DESCRIPTION,
        out -> {
          out.writeShort(1);
          writeCString(out, columnName);
          out.writeInt(0); // table OID: none
          out.writeShort(0); // column attribute number: none
          out.writeInt(typeOid);
          out.writeShort(typeSize);
          out.writeInt(-1); // type modifier: none
          out.writeShort(0); // text format
        });
  }

  /** A DataRow of text values; a null value is SQL NULL. */
  public static ByteBuf dataRow(ByteBufAllocator alloc, String... values) {
    return writeFrame(
        alloc,
        MessageTags.Backend.DATA_ROW,
        out -> {
          out.writeShort(values.length);
          for (String value : values) {
            if (value == null) {
              out.writeInt(-1);
            } else {
              byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
              out.writeInt(bytes.length).writeBytes(bytes);
            }
          }
        });
  }

  /** The answer to a Query of only whitespace or comments. */
  public static ByteBuf emptyQueryResponse(ByteBufAllocator alloc) {
    return empty(alloc, MessageTags.Backend.EMPTY_QUERY_RESPONSE);
  }

  /** The answer to Parse. */
  public static ByteBuf parseComplete(ByteBufAllocator alloc) {
    return empty(alloc, MessageTags.Backend.PARSE_COMPLETE);
  }

  /** The answer to Bind. */
  public static ByteBuf bindComplete(ByteBufAllocator alloc) {
    return empty(alloc, MessageTags.Backend.BIND_COMPLETE);
  }

  /** The answer to Describe of a statement that returns no rows. */
  public static ByteBuf noData(ByteBufAllocator alloc) {
    return empty(alloc, MessageTags.Backend.NO_DATA);
  }

  /** The single untyped byte accepting an SSLRequest: a TLS handshake follows. */
  public static ByteBuf acceptSsl(ByteBufAllocator alloc) {
    return alloc.buffer(1).writeByte(MessageTags.Negotiation.SSL_ACCEPTED);
  }

  /** The single untyped byte refusing an SSLRequest or GSSENCRequest. */
  public static ByteBuf refuseEncryption(ByteBufAllocator alloc) {
    return alloc.buffer(1).writeByte(MessageTags.Negotiation.REFUSED);
  }

  /** A message of this type with no payload, in either direction (ParseComplete, Sync, ...). */
  static ByteBuf empty(ByteBufAllocator alloc, byte type) {
    return alloc.buffer(Frame.HEADER_LENGTH).writeByte(type).writeInt(4);
  }

  /** Writes {@code s} as UTF-8 and a terminating NUL, which {@code s} itself must not contain. */
  static void writeCString(ByteBuf out, String s) {
    writeCString(out, s, StandardCharsets.UTF_8);
  }

  /** Writes {@code s} in {@code charset} and a terminating NUL. */
  static void writeCString(ByteBuf out, String s, Charset charset) {
    if (s.indexOf('\0') >= 0) {
      // PostgreSQL strings cannot hold NUL; sending one would cut the message short. The text is
      // left out of the message: it may be a user's whole statement.
      throw new IllegalArgumentException("string contains a NUL character");
    }
    out.writeCharSequence(s, charset);
    out.writeByte(0);
  }
}
