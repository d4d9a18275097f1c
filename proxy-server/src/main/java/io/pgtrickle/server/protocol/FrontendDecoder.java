package io.pgtrickle.server.protocol;

import io.netty.buffer.ByteBuf;
import io.pgtrickle.server.protocol.StartupPacket.CancelRequest;
import io.pgtrickle.server.protocol.StartupPacket.GssEncRequest;
import io.pgtrickle.server.protocol.StartupPacket.SslRequest;
import io.pgtrickle.server.protocol.StartupPacket.StartupMessage;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Cuts a client's byte stream into {@link StartupPacket}s and then, after the StartupMessage, into
 * {@link Frame}s, raising a {@link ProtocolViolationException} (and ignoring all later input) on
 * malformed framing.
 *
 * <p>One instance per connection: it keeps the connection's phase.
 */
public final class FrontendDecoder extends FrameDecoderBase {
  /** PostgreSQL's MAX_STARTUP_PACKET_LENGTH. */
  public static final int DEFAULT_MAX_STARTUP_PACKET_LENGTH = 10_000;

  /** Length and code: the smallest startup packet. */
  private static final int STARTUP_HEADER_LENGTH = 8;

  private enum Phase {
    STARTUP,
    TYPED,
    /** A CancelRequest ends the conversation: nothing may follow. */
    CANCELLED
  }

  private final int maxStartupPacketLength;
  private Phase phase = Phase.STARTUP;
  private boolean sslRequested;
  private boolean gssRequested;

  /** A decoder with PostgreSQL's limits: 1 GiB per frame, 10 000 bytes per startup packet. */
  public FrontendDecoder() {
    this(DEFAULT_MAX_FRAME_LENGTH, DEFAULT_MAX_STARTUP_PACKET_LENGTH);
  }

  /** A decoder with the given limits, each the largest accepted value of a length field. */
  public FrontendDecoder(int maxFrameLength, int maxStartupPacketLength) {
    super(maxFrameLength);
    if (maxStartupPacketLength < STARTUP_HEADER_LENGTH) {
      throw new IllegalArgumentException(
          "maxStartupPacketLength must be at least 8: " + maxStartupPacketLength);
    }
    this.maxStartupPacketLength = maxStartupPacketLength;
  }

  /** Whether the StartupMessage has been decoded, so typed frames follow. */
  public boolean inTypedPhase() {
    return phase == Phase.TYPED;
  }

  @Override
  void decodeNext(ByteBuf in, List<Object> out) {
    switch (phase) {
      case STARTUP -> decodeStartup(in, out);
      case TYPED -> {
        Frame frame = readTypedFrame(in);
        if (frame != null) {
          out.add(frame);
        }
      }
      case CANCELLED -> throw fail(in, "unexpected data after CancelRequest");
    }
  }

  private void decodeStartup(ByteBuf in, List<Object> out) {
    if (in.readableBytes() < 4) {
      return;
    }
    int start = in.readerIndex();
    int length = in.getInt(start);
    if (length < STARTUP_HEADER_LENGTH || length > maxStartupPacketLength) {
      throw fail(
          in,
          "invalid length "
              + length
              + " of startup packet (must be between 8 and "
              + maxStartupPacketLength
              + ")");
    }
    if (in.readableBytes() < length) {
      return;
    }
    int code = in.getInt(start + 4);
    if (code == MessageTags.SSL_REQUEST_CODE) {
      sslRequested = negotiation(in, length, sslRequested, "SSLRequest");
      out.add(new SslRequest());
    } else if (code == MessageTags.GSSENC_REQUEST_CODE) {
      gssRequested = negotiation(in, length, gssRequested, "GSSENCRequest");
      out.add(new GssEncRequest());
    } else if (code == MessageTags.CANCEL_REQUEST_CODE) {
      if (length != 16) {
        throw fail(in, "invalid length " + length + " of CancelRequest (must be 16)");
      }
      out.add(new CancelRequest(in.getInt(start + 8), in.getInt(start + 12)));
      in.skipBytes(length);
      phase = Phase.CANCELLED;
    } else if (code >>> 16 == 3) {
      // Any 3.x: the server answers a newer minor version with NegotiateProtocolVersion.
      Map<String, String> parameters =
          parseParameters(in, start + STARTUP_HEADER_LENGTH, start + length);
      out.add(new StartupMessage(code, parameters, in.readRetainedSlice(length)));
      phase = Phase.TYPED;
    } else {
      throw fail(
          in,
          "unsupported startup packet code "
              + code
              + " (protocol "
              + (code >>> 16)
              + "."
              + (code & 0xffff)
              + "); only protocol 3 is supported");
    }
  }

  /** Consumes an SSLRequest or GSSENCRequest, returning that it has now been requested. */
  private boolean negotiation(ByteBuf in, int length, boolean alreadyRequested, String name) {
    if (length != STARTUP_HEADER_LENGTH) {
      throw fail(in, "invalid length " + length + " of " + name + " (must be 8)");
    }
    if (alreadyRequested) {
      throw fail(in, "duplicate " + name);
    }
    in.skipBytes(length);
    // Bytes sent before the answer would be read as if they came through the encrypted channel
    // that is about to be set up (CVE-2021-23214); PostgreSQL rejects them too.
    if (in.isReadable()) {
      throw fail(in, "received unencrypted data after " + name);
    }
    return true;
  }

  /** Reads the name/value C-string pairs in [from, to), which end with an empty name. */
  private Map<String, String> parseParameters(ByteBuf in, int from, int to) {
    Map<String, String> parameters = new LinkedHashMap<>();
    int i = from;
    while (true) {
      int nameEnd = in.indexOf(i, to, (byte) 0);
      if (nameEnd < 0) {
        throw fail(in, "invalid startup packet layout: missing terminator");
      }
      if (nameEnd == i) {
        if (nameEnd != to - 1) {
          throw fail(in, "invalid startup packet layout: expected terminator as last byte");
        }
        return parameters;
      }
      int valueEnd = in.indexOf(nameEnd + 1, to, (byte) 0);
      String name = in.toString(i, nameEnd - i, StandardCharsets.UTF_8);
      if (valueEnd < 0) {
        throw fail(in, "invalid startup packet layout: parameter \"" + name + "\" has no value");
      }
      parameters.put(
          name, in.toString(nameEnd + 1, valueEnd - nameEnd - 1, StandardCharsets.UTF_8));
      i = valueEnd + 1;
    }
  }
}
