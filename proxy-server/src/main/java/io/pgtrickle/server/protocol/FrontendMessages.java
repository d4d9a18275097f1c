package io.pgtrickle.server.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.Charset;
import java.util.List;

/**
 * Writes the frontend messages the proxy sends upstream itself: the engine's statements, rewritten
 * Parse messages, and the startup-phase requests. Each is a new buffer.
 */
public final class FrontendMessages {
  private FrontendMessages() {}

  /** A simple-protocol Query. */
  public static ByteBuf query(ByteBufAllocator alloc, String sql, Charset charset) {
    return BackendMessages.writeFrame(
        alloc, MessageTags.Frontend.QUERY, out -> BackendMessages.writeCString(out, sql, charset));
  }

  /** A Parse of {@code sql} into the named (or, for "", the unnamed) statement. */
  public static ByteBuf parse(
      ByteBufAllocator alloc, String statement, String sql, int[] parameterTypes, Charset charset) {
    return BackendMessages.writeFrame(
        alloc,
        MessageTags.Frontend.PARSE,
        out -> {
          BackendMessages.writeCString(out, statement, charset);
          BackendMessages.writeCString(out, sql, charset);
          out.writeShort(parameterTypes.length);
          for (int type : parameterTypes) {
            out.writeInt(type);
          }
        });
  }

  /** A Bind of text parameters (null for SQL NULL), asking for every result column as text. */
  public static ByteBuf bind(
      ByteBufAllocator alloc,
      String portal,
      String statement,
      List<String> values,
      Charset charset) {
    return BackendMessages.writeFrame(
        alloc,
        MessageTags.Frontend.BIND,
        out -> {
          BackendMessages.writeCString(out, portal, charset);
          BackendMessages.writeCString(out, statement, charset);
          out.writeShort(0); // every parameter in text format
          out.writeShort(values.size());
          for (String v : values) {
            if (v == null) {
              out.writeInt(-1);
            } else {
              int lengthAt = out.writerIndex();
              out.writeInt(0);
              int written = out.writeCharSequence(v, charset);
              out.setInt(lengthAt, written);
            }
          }
          out.writeShort(0); // every result column in text format
        });
  }

  /** An Execute of the portal with no row limit. */
  public static ByteBuf execute(ByteBufAllocator alloc, String portal, Charset charset) {
    return BackendMessages.writeFrame(
        alloc,
        MessageTags.Frontend.EXECUTE,
        out -> {
          BackendMessages.writeCString(out, portal, charset);
          out.writeInt(0);
        });
  }

  /**
   * A Close of a prepared statement ({@code kind} 'S') or portal ('P'); closing one that does not
   * exist is not an error.
   */
  public static ByteBuf close(ByteBufAllocator alloc, byte kind, String name, Charset charset) {
    return BackendMessages.writeFrame(
        alloc,
        MessageTags.Frontend.CLOSE,
        out -> {
          out.writeByte(kind);
          BackendMessages.writeCString(out, name, charset);
        });
  }

  /** A Sync. */
  public static ByteBuf sync(ByteBufAllocator alloc) {
    return BackendMessages.empty(alloc, MessageTags.Frontend.SYNC);
  }

  /** A Flush: the server sends what it has, without ending the batch as Sync would. */
  public static ByteBuf flush(ByteBufAllocator alloc) {
    return BackendMessages.empty(alloc, MessageTags.Frontend.FLUSH);
  }

  /** An SSLRequest, sent before the StartupMessage to ask the server for TLS. */
  public static ByteBuf sslRequest(ByteBufAllocator alloc) {
    return alloc.buffer(8).writeInt(8).writeInt(MessageTags.SSL_REQUEST_CODE);
  }

  /** A CancelRequest for the backend with this process id and secret key. */
  public static ByteBuf cancelRequest(ByteBufAllocator alloc, int processId, int secretKey) {
    return alloc
        .buffer(16)
        .writeInt(16)
        .writeInt(MessageTags.CANCEL_REQUEST_CODE)
        .writeInt(processId)
        .writeInt(secretKey);
  }
}
