package io.pgtrickle.server.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCounted;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A packet of the startup phase, which unlike later messages has no type byte: an int32 length
 * (counting itself), an int32 code, and for some kinds a body.
 */
public sealed interface StartupPacket
    permits StartupPacket.SslRequest,
        StartupPacket.GssEncRequest,
        StartupPacket.CancelRequest,
        StartupPacket.StartupMessage {

  /** The client asks for TLS; the server answers with one byte. */
  record SslRequest() implements StartupPacket {}

  /** The client asks for GSSAPI encryption; the server answers with one byte. */
  record GssEncRequest() implements StartupPacket {}

  /**
   * The client asks, on a fresh connection, to cancel the query running in another one.
   *
   * @param processId the backend's process id from BackendKeyData
   * @param secretKey the backend's secret key from BackendKeyData
   */
  record CancelRequest(int processId, int secretKey) implements StartupPacket {}

  /**
   * The client opens a session; after it come only typed frames.
   *
   * <p>{@code raw} is the whole packet (length field included) as a retained slice of the input, so
   * the proxy can forward it untouched; this packet must therefore be released.
   *
   * @param protocolVersion major version in the high 16 bits, minor in the low
   * @param parameters the name/value pairs in the order the client sent them (user, database,
   *     options, ...)
   * @param raw the whole packet as received
   */
  record StartupMessage(int protocolVersion, Map<String, String> parameters, ByteBuf raw)
      implements StartupPacket, ReferenceCounted {

    /** Keeps the parameters in client order and unmodifiable. */
    public StartupMessage {
      parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
      Objects.requireNonNull(raw, "raw");
    }

    /** The major protocol version (3). */
    public int majorVersion() {
      return protocolVersion >>> 16;
    }

    /** The minor protocol version (0 for 3.0, 2 for 3.2). */
    public int minorVersion() {
      return protocolVersion & 0xffff;
    }

    @Override
    public int refCnt() {
      return raw.refCnt();
    }

    @Override
    public StartupMessage retain() {
      raw.retain();
      return this;
    }

    @Override
    public StartupMessage retain(int increment) {
      raw.retain(increment);
      return this;
    }

    @Override
    public StartupMessage touch() {
      raw.touch();
      return this;
    }

    @Override
    public StartupMessage touch(Object hint) {
      raw.touch(hint);
      return this;
    }

    @Override
    public boolean release() {
      return raw.release();
    }

    @Override
    public boolean release(int decrement) {
      return raw.release(decrement);
    }

    @Override
    public String toString() {
      // Parameters are safe to log (no password travels in the startup packet).
      return "StartupMessage[" + majorVersion() + "." + minorVersion() + ", " + parameters + "]";
    }
  }
}
