package io.pgtrickle.server.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * What both decoders share: cutting typed frames with a maximum length, and stopping for good at
 * the first protocol violation.
 */
abstract class FrameDecoderBase extends ByteToMessageDecoder {
  /** PostgreSQL's own limit for most messages (PQ_LARGE_MESSAGE_LIMIT is 1 GiB - 1). */
  static final int DEFAULT_MAX_FRAME_LENGTH = 1 << 30;

  /**
   * Netty's merge cumulator, but first dropping the bytes already cut into frames once no frame
   * still refers to them.
   *
   * <p>Frames are retained slices of the cumulation, so Netty compacts it only when no slice is
   * alive, which at its few compaction points is rarely the case for a stream of rows; meanwhile
   * each read appended to the partial frame at its end grows the buffer. Relaying a 300 MB result
   * to a slow client grew it past 75 MB. Here a buffer no slice holds is compacted before every
   * append, which moves at most one partial frame; a buffer that slices still hold is appended to
   * within its capacity or, as Netty does, copied without its read bytes into a new one.
   */
  private static final Cumulator COMPACTING_CUMULATOR =
      (alloc, cumulation, in) -> {
        if (cumulation.refCnt() == 1 && cumulation.readerIndex() > 0 && !cumulation.isReadOnly()) {
          cumulation.discardReadBytes();
        }
        return MERGE_CUMULATOR.cumulate(alloc, cumulation, in);
      };

  private final int maxFrameLength;
  private boolean failed;

  FrameDecoderBase(int maxFrameLength) {
    if (maxFrameLength < 4) {
      throw new IllegalArgumentException("maxFrameLength must be at least 4: " + maxFrameLength);
    }
    this.maxFrameLength = maxFrameLength;
    setCumulator(COMPACTING_CUMULATOR);
  }

  /** Whether a protocol violation was seen; from then on all input is discarded. */
  public final boolean isFailed() {
    return failed;
  }

  /** The largest accepted value of a typed frame's length field. */
  public final int maxFrameLength() {
    return maxFrameLength;
  }

  @Override
  protected final void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (failed) {
      // After a violation the stream's framing is unknown: any byte could start anything.
      in.skipBytes(in.readableBytes());
      return;
    }
    decodeNext(in, out);
  }

  /** Decodes at most one item from {@code in}, or nothing if it is incomplete. */
  abstract void decodeNext(ByteBuf in, List<Object> out);

  /** Marks the decoder failed, discards the input, and returns the exception to throw. */
  final ProtocolViolationException fail(ByteBuf in, String message) {
    failed = true;
    in.skipBytes(in.readableBytes());
    return new ProtocolViolationException(message);
  }

  /** Reads one typed frame, or returns null while it is incomplete. */
  final Frame readTypedFrame(ByteBuf in) {
    if (in.readableBytes() < Frame.HEADER_LENGTH) {
      return null;
    }
    int start = in.readerIndex();
    byte type = in.getByte(start);
    int length = in.getInt(start + 1);
    // Checked before the body arrives, so an absurd length never makes us buffer gigabytes.
    if (length < 4 || length > maxFrameLength) {
      throw fail(
          in,
          "invalid length "
              + length
              + " of message of type "
              + describe(type)
              + " (must be between 4 and "
              + maxFrameLength
              + ")");
    }
    if (in.readableBytes() - 1 < length) {
      return null;
    }
    return new Frame(in.readRetainedSlice(length + 1));
  }

  /** A type byte for an error message: the character if printable, else its hex value. */
  static String describe(byte b) {
    int c = b & 0xff;
    return c >= 0x20 && c < 0x7f ? "'" + (char) c + "'" : String.format("0x%02x", c);
  }
}
