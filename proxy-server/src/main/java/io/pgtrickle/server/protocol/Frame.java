package io.pgtrickle.server.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCounted;

/**
 * One typed protocol message: its type byte, its payload (the bytes after the length field), and
 * the whole message as it was on the wire.
 *
 * <p>The message is a retained slice of the buffer it was decoded from, not a copy, so forwarding a
 * frame costs no copying: {@link #message()} goes to the other side as it is. Whoever receives a
 * frame must release it (or pass it on).
 */
public final class Frame implements ReferenceCounted {
  /** Bytes before the payload on the wire: the type byte and the int32 length. */
  public static final int HEADER_LENGTH = 5;

  private final byte type;
  private final ByteBuf message;

  /**
   * Wraps a whole message (type byte, length and payload), taking over its reference.
   *
   * @throws IllegalArgumentException if the buffer is shorter than a header or its length field
   *     disagrees with its size
   */
  public Frame(ByteBuf message) {
    int readable = message.readableBytes();
    if (readable < HEADER_LENGTH || message.getInt(message.readerIndex() + 1) != readable - 1) {
      throw new IllegalArgumentException("not a whole message: " + readable + " bytes");
    }
    this.type = message.getByte(message.readerIndex());
    this.message = message;
  }

  /** The message type byte, see {@link MessageTags}. */
  public byte type() {
    return type;
  }

  /**
   * The message body, without type byte and length: a view sharing this frame's reference count,
   * whose reader index callers may move freely.
   */
  public ByteBuf payload() {
    return message.slice(message.readerIndex() + HEADER_LENGTH, length() - 4);
  }

  /** The whole message as on the wire; sharing this frame's reference count. */
  public ByteBuf message() {
    return message;
  }

  /** The value of the length field on the wire, which counts itself but not the type byte. */
  public int length() {
    return message.readableBytes() - 1;
  }

  @Override
  public int refCnt() {
    return message.refCnt();
  }

  @Override
  public Frame retain() {
    message.retain();
    return this;
  }

  @Override
  public Frame retain(int increment) {
    message.retain(increment);
    return this;
  }

  @Override
  public Frame touch() {
    message.touch();
    return this;
  }

  @Override
  public Frame touch(Object hint) {
    message.touch(hint);
    return this;
  }

  @Override
  public boolean release() {
    return message.release();
  }

  @Override
  public boolean release(int decrement) {
    return message.release(decrement);
  }

  @Override
  public String toString() {
    // Never the payload itself: it may hold passwords or user data.
    return "Frame['" + (char) (type & 0xff) + "', " + (length() - 4) + " bytes]";
  }
}
