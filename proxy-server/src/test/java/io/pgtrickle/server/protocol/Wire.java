package io.pgtrickle.server.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.pgtrickle.server.protocol.StartupPacket.CancelRequest;
import io.pgtrickle.server.protocol.StartupPacket.GssEncRequest;
import io.pgtrickle.server.protocol.StartupPacket.SslRequest;
import io.pgtrickle.server.protocol.StartupPacket.StartupMessage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Builds protocol byte streams by hand and turns decoded items back into comparable values. */
final class Wire {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  static Wire wire() {
    return new Wire();
  }

  byte[] bytes() {
    return out.toByteArray();
  }

  Wire int8(int v) {
    out.write(v);
    return this;
  }

  Wire int16(int v) {
    out.write(v >>> 8);
    out.write(v);
    return this;
  }

  Wire int32(int v) {
    int16(v >>> 16);
    return int16(v);
  }

  Wire raw(byte[] b) {
    out.writeBytes(b);
    return this;
  }

  Wire cstr(String s) {
    out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
    return int8(0);
  }

  /** A typed message around {@code body}. */
  Wire msg(char type, byte[] body) {
    int8(type);
    int32(body.length + 4);
    return raw(body);
  }

  Wire msg(char type, Wire body) {
    return msg(type, body.bytes());
  }

  Wire startup(Map<String, String> params) {
    Wire body = wire().int32(MessageTags.PROTOCOL_3_0);
    params.forEach((k, v) -> body.cstr(k).cstr(v));
    byte[] b = body.int8(0).bytes();
    return int32(b.length + 4).raw(b);
  }

  Wire sslRequest() {
    return int32(8).int32(MessageTags.SSL_REQUEST_CODE);
  }

  Wire gssEncRequest() {
    return int32(8).int32(MessageTags.GSSENC_REQUEST_CODE);
  }

  Wire cancelRequest(int pid, int key) {
    return int32(16).int32(MessageTags.CANCEL_REQUEST_CODE).int32(pid).int32(key);
  }

  static Map<String, String> orderedParams() {
    Map<String, String> params = new java.util.LinkedHashMap<>();
    params.put("user", "alice");
    params.put("database", "shop");
    params.put("application_name", "psql ✓");
    params.put("options", "");
    return params;
  }

  /** A realistic client byte stream. */
  static byte[] session() {
    return wire()
        .startup(orderedParams())
        .msg('Q', wire().cstr("SELECT * FROM orders_by_region"))
        .msg('P', wire().cstr("s1").cstr("SELECT $1::int").int16(1).int32(23))
        .msg(
            'B',
            wire().cstr("").cstr("s1").int16(0).int16(1).int32(2).raw("42".getBytes()).int16(0))
        .msg('D', wire().int8('P').cstr(""))
        .msg('E', wire().cstr("").int32(0))
        .msg('S', new byte[0])
        .msg('X', new byte[0])
        .bytes();
  }

  /** A realistic server byte stream answering {@link #session()}. */
  static byte[] serverSession() {
    return wire()
        .msg('R', wire().int32(0))
        .msg('S', wire().cstr("server_version").cstr("16.4"))
        .msg('K', wire().int32(4242).int32(0x5eC0))
        .msg('Z', wire().int8('I'))
        .msg('T', wire().int16(1).cstr("n").int32(0).int16(0).int32(23).int16(4).int32(-1).int16(0))
        .msg('D', wire().int16(1).int32(2).raw("42".getBytes()))
        .msg('C', wire().cstr("SELECT 1"))
        .msg('Z', wire().int8('I'))
        .msg('1', new byte[0])
        .msg('2', new byte[0])
        .msg('n', new byte[0])
        .msg(
            'E',
            wire().int8('S').cstr("ERROR").int8('C').cstr("42P01").int8('M').cstr("no").int8(0))
        .msg('Z', wire().int8('E'))
        .bytes();
  }

  /** Input buffers come from the pooled allocator, whose buffers the leak detector tracks. */
  static ByteBuf buf(byte[] bytes, int from, int to) {
    ByteBuf b = PooledByteBufAllocator.DEFAULT.buffer(Math.max(1, to - from));
    return b.writeBytes(bytes, from, to - from);
  }

  /** Writes each chunk and returns everything decoded, described and released. */
  static List<String> feed(EmbeddedChannel ch, List<byte[]> chunks) {
    List<String> items = new ArrayList<>();
    for (byte[] chunk : chunks) {
      ch.writeInbound(buf(chunk, 0, chunk.length));
      drain(ch, items);
    }
    return items;
  }

  static List<String> feedSplit(EmbeddedChannel ch, byte[] stream, int at) {
    return feed(
        ch,
        List.of(Arrays.copyOfRange(stream, 0, at), Arrays.copyOfRange(stream, at, stream.length)));
  }

  static List<String> feedBytewise(EmbeddedChannel ch, byte[] stream) {
    List<byte[]> chunks = new ArrayList<>();
    for (byte b : stream) {
      chunks.add(new byte[] {b});
    }
    return feed(ch, chunks);
  }

  static void drain(EmbeddedChannel ch, List<String> items) {
    Object o;
    while ((o = ch.readInbound()) != null) {
      try {
        items.add(describe(o));
      } finally {
        ReferenceCountUtil.release(o);
      }
    }
  }

  /** A value equal for equal items, including the payload bytes. */
  static String describe(Object o) {
    if (o instanceof Frame f) {
      return (char) f.type() + ":" + ByteBufUtil.hexDump(f.payload());
    }
    if (o instanceof StartupMessage m) {
      return "startup:" + m.protocolVersion() + m.parameters() + ByteBufUtil.hexDump(m.raw());
    }
    return o.toString();
  }

  /** The bytes an item was decoded from, to check the decoders lose and invent nothing. */
  static byte[] reencode(Object o) {
    if (o instanceof Frame f) {
      return wire().int8(f.type()).int32(f.length()).raw(ByteBufUtil.getBytes(f.payload())).bytes();
    }
    if (o instanceof StartupMessage m) {
      return ByteBufUtil.getBytes(m.raw());
    }
    if (o instanceof SslRequest) {
      return wire().sslRequest().bytes();
    }
    if (o instanceof GssEncRequest) {
      return wire().gssEncRequest().bytes();
    }
    if (o instanceof CancelRequest c) {
      return wire().cancelRequest(c.processId(), c.secretKey()).bytes();
    }
    if (o instanceof SslResponse r) {
      return new byte[] {r.answer()};
    }
    throw new AssertionError("unexpected item " + o);
  }

  private Wire() {}
}
