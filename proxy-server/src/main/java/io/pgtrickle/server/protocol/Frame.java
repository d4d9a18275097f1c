package io.pgtrickle.server.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCounted;
import java.util.Objects;

/**
 * One typed protocol message: its type byte and its payload (the bytes after the length field).
 *
 * <p>The payload is a retained slice of the buffer it was decoded from, not a copy, so forwarding a
 * frame costs no copying; whoever receives a frame must release it (or pass it on).
 *
 * @param type the message type byte, see {@link MessageTags}
 * @param payload the message body, without type byte and length
 */
public record Frame(byte type, ByteBuf payload) implements ReferenceCounted {
  /** Bytes before the payload on the wire: the type byte and the int32 length. */
  public static final int HEADER_LENGTH = 5;

  /** Checks the payload is present. */
  public Frame {
    Objects.requireNonNull(payload, "payload");
  }

  /** The value of the length field on the wire, which counts itself but not the type byte. */
  public int length() {
    return payload.readableBytes() + 4;
  }

  /** Writes the type byte and length field, which precede the payload on the wire. */
  public void writeHeader(ByteBuf out) {
    out.writeByte(type).writeInt(length());
  }

  @Override
  public int refCnt() {
    return payload.refCnt();
  }

  @Override
  public Frame retain() {
    payload.retain();
    return this;
  }

  @Override
  public Frame retain(int increment) {
    payload.retain(increment);
    return this;
  }

  @Override
  public Frame touch() {
    payload.touch();
    return this;
  }

  @Override
  public Frame touch(Object hint) {
    payload.touch(hint);
    return this;
  }

  @Override
  public boolean release() {
    return payload.release();
  }

  @Override
  public boolean release(int decrement) {
    return payload.release(decrement);
  }

  @Override
  public String toString() {
    // Never the payload itself: it may hold passwords or user data.
    return "Frame['" + (char) (type & 0xff) + "', " + payload.readableBytes() + " bytes]";
  }
}
