package io.pgtrickle.server.protocol;

import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * Cuts a server's byte stream into {@link Frame}s, and into one {@link SslResponse} right after
 * {@link #expectSslResponse()}, raising a {@link ProtocolViolationException} (and ignoring all
 * later input) on malformed framing.
 */
public final class BackendDecoder extends FrameDecoderBase {
  private boolean expectingSslResponse;

  /** A decoder accepting frames up to PostgreSQL's 1 GiB. */
  public BackendDecoder() {
    this(DEFAULT_MAX_FRAME_LENGTH);
  }

  /** A decoder accepting frames whose length field is at most {@code maxFrameLength}. */
  public BackendDecoder(int maxFrameLength) {
    super(maxFrameLength);
  }

  /**
   * Makes the next item the single-byte answer to an SSLRequest or GSSENCRequest; call it on the
   * channel's event loop when sending the request, before the answer can arrive.
   *
   * <p>A server that answers with an ErrorResponse instead yields that {@link Frame} (type {@code
   * 'E'}), as libpq expects.
   */
  public void expectSslResponse() {
    expectingSslResponse = true;
  }

  @Override
  void decodeNext(ByteBuf in, List<Object> out) {
    if (expectingSslResponse) {
      if (!in.isReadable()) {
        return;
      }
      byte answer = in.getByte(in.readerIndex());
      if (answer == MessageTags.Negotiation.SSL_ACCEPTED
          || answer == MessageTags.Negotiation.GSS_ACCEPTED
          || answer == MessageTags.Negotiation.REFUSED) {
        in.skipBytes(1);
        expectingSslResponse = false;
        // Bytes after the answer would be taken as coming through the encrypted channel
        // (CVE-2021-23222); a real server waits for the client's next message.
        if (in.isReadable()) {
          throw fail(in, "received unencrypted data after the answer to SSLRequest");
        }
        out.add(new SslResponse(answer));
        return;
      }
      if (answer != MessageTags.Backend.ERROR_RESPONSE) {
        throw fail(in, "invalid answer " + describe(answer) + " to SSLRequest");
      }
      expectingSslResponse = false;
    }
    Frame frame = readTypedFrame(in);
    if (frame != null) {
      out.add(frame);
    }
  }
}
