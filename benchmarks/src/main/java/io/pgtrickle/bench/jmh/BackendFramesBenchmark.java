package io.pgtrickle.bench.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.pgtrickle.server.protocol.BackendDecoder;
import io.pgtrickle.server.protocol.Frame;
import io.pgtrickle.server.protocol.MessageReader;
import io.pgtrickle.server.protocol.MessageTags.Backend;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The proxy's cost per result row on its server side: {@link BackendDecoder} cutting a server's
 * answer of {@value #ROWS} DataRows into frames, and the pass-through that hands each frame, a
 * retained slice of the read buffer, to the client channel as it is, as {@code ClientSession}'s
 * relay does.
 *
 * <p>Each invocation reads the whole answer as socket reads would deliver it: {@code chunkSize}
 * bytes at a time into fresh buffers from the channel's allocator, each followed by read-complete.
 * {@link #baselineReadChunks} measures filling and freeing those buffers alone. The client's socket
 * is a handler that counts and frees what it is given, so the kernel's copies are not included. One
 * operation is one DataRow; the answer is {@link #responseBytes} bytes.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class BackendFramesBenchmark {
  static final int ROWS = 1_000;

  /** Bytes per socket read. */
  @Param({"8192", "65536"})
  public int chunkSize;

  /** Where read buffers come from: Netty's default, as in the proxy; a test may swap it. */
  ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;

  private byte[] response;
  private EmbeddedChannel decodeOnly;
  private FrameCounter counter;
  private EmbeddedChannel upstream;
  private EmbeddedChannel client;
  private ClientSocket socket;

  @Setup(Level.Trial)
  public void connect() {
    response = ResultResponse.of(ROWS);
    counter = new FrameCounter();
    decodeOnly = new EmbeddedChannel(new BackendDecoder(), counter);
    decodeOnly.config().setAllocator(alloc);
    socket = new ClientSocket();
    client = new EmbeddedChannel(socket);
    client.config().setAllocator(alloc);
    upstream = new EmbeddedChannel(new BackendDecoder(), new Relay(client));
    upstream.config().setAllocator(alloc);
  }

  @TearDown(Level.Trial)
  public void close() {
    decodeOnly.finishAndReleaseAll();
    upstream.finishAndReleaseAll();
    client.finishAndReleaseAll();
  }

  /** The size of the answer in bytes. */
  int responseBytes() {
    return response.length;
  }

  /** Filling and freeing the read buffers only, which both benchmarks below include. */
  @Benchmark
  @OperationsPerInvocation(ROWS)
  public long baselineReadChunks() {
    long sum = 0;
    for (int at = 0; at < response.length; at += chunkSize) {
      ByteBuf read = read(at);
      sum += read.getByte(read.readerIndex());
      read.release();
    }
    return sum;
  }

  /** Decoding into frames that are then freed: what the decoder costs per row. */
  @Benchmark
  @OperationsPerInvocation(ROWS)
  public long decode() {
    feed(decodeOnly);
    return counter.frames;
  }

  /** Decoding and handing every frame's bytes to the client channel, flushed per read. */
  @Benchmark
  @OperationsPerInvocation(ROWS)
  public long passThrough() {
    feed(upstream);
    return socket.bytes;
  }

  private void feed(EmbeddedChannel ch) {
    for (int at = 0; at < response.length; at += chunkSize) {
      ch.pipeline().fireChannelRead(read(at));
      ch.pipeline().fireChannelReadComplete();
    }
    ch.checkException();
  }

  /** One socket read: the next {@code chunkSize} bytes of the answer in a buffer of that size. */
  private ByteBuf read(int at) {
    int n = Math.min(chunkSize, response.length - at);
    ByteBuf b = alloc.directBuffer(n, n);
    b.writeBytes(response, at, n);
    return b;
  }

  /** Counts frames by kind and frees them. */
  static final class FrameCounter extends ChannelInboundHandlerAdapter {
    long frames;
    long dataRows;
    long bytes;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      Frame f = (Frame) msg;
      frames++;
      bytes += f.length() + 1;
      if (f.type() == Backend.DATA_ROW) {
        dataRows++;
      }
      f.release();
    }
  }

  /**
   * The relay of {@code ClientSession}, minus its bookkeeping of pending replies: look into the few
   * messages that matter, write every frame's bytes to the client as they are, flush when the read
   * is done.
   */
  static final class Relay extends ChannelInboundHandlerAdapter {
    private final EmbeddedChannel client;
    byte transactionStatus;

    Relay(EmbeddedChannel client) {
      this.client = client;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      Frame f = (Frame) msg;
      switch (f.type()) {
        case Backend.READY_FOR_QUERY ->
            transactionStatus = MessageReader.readyForQueryStatus(f.payload());
        case Backend.ERROR_RESPONSE -> MessageReader.fields(f.payload());
        default -> {}
      }
      client.write(f.message());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      client.flush();
    }
  }

  /** Stands in for the client's socket: counts the bytes written and frees them. */
  static final class ClientSocket extends ChannelOutboundHandlerAdapter {
    long bytes;
    long writes;

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      bytes += ((ByteBuf) msg).readableBytes();
      writes++;
      ReferenceCountUtil.release(msg);
      promise.setSuccess();
    }
  }
}
