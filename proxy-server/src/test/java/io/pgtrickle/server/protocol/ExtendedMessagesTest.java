package io.pgtrickle.server.protocol;

import static io.pgtrickle.server.protocol.Wire.wire;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The extended-protocol messages the proxy reads from clients and writes to the server. */
@ExtendWith(LeakCheckExtension.class)
class ExtendedMessagesTest {
  private static final Charset UTF8 = StandardCharsets.UTF_8;
  private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

  @Test
  void parseRoundTrips() {
    ByteBuf m = FrontendMessages.parse(ALLOC, "s1", "SELECT $1, 'é'", new int[] {25, 0}, UTF8);
    try {
      Frame f = new Frame(m.retainedSlice());
      try {
        assertThat(f.type()).isEqualTo((byte) 'P');
        MessageReader.Parse p = MessageReader.parse(f.payload(), UTF8);
        assertThat(p.statement()).isEqualTo("s1");
        assertThat(p.query()).isEqualTo("SELECT $1, 'é'");
        assertThat(p.parameterTypes()).containsExactly(25, 0);
      } finally {
        f.release();
      }
    } finally {
      m.release();
    }
  }

  @Test
  void bindRoundTripsTextValuesAndNulls() {
    ByteBuf m = FrontendMessages.bind(ALLOC, "p", "s", Arrays.asList("a", null, "ü"), UTF8);
    try {
      MessageReader.Bind b = MessageReader.bind(payload(m), UTF8);
      assertThat(b.portal()).isEqualTo("p");
      assertThat(b.statement()).isEqualTo("s");
      assertThat(b.values()).hasSize(3);
      assertThat(new String(b.values().get(0), UTF8)).isEqualTo("a");
      assertThat(b.values().get(1)).isNull();
      assertThat(new String(b.values().get(2), UTF8)).isEqualTo("ü");
      assertThat(b.isBinary(0)).isFalse();
      assertThat(MessageReader.bindNames(payload(m), UTF8)).containsExactly("p", "s");
    } finally {
      m.release();
    }
  }

  @Test
  void bindFormatCodesApplyToAllOrEach() {
    byte[] one =
        wire().cstr("").cstr("").int16(1).int16(1).int16(1).int32(1).int8(1).int16(0).bytes();
    assertThat(MessageReader.bind(Unpooled.wrappedBuffer(one), UTF8).isBinary(0)).isTrue();
    byte[] each =
        wire()
            .cstr("")
            .cstr("")
            .int16(2)
            .int16(0)
            .int16(1)
            .int16(2)
            .int32(1)
            .int8('x')
            .int32(-1)
            .int16(0)
            .bytes();
    MessageReader.Bind b = MessageReader.bind(Unpooled.wrappedBuffer(each), UTF8);
    assertThat(b.isBinary(0)).isFalse();
    assertThat(b.isBinary(1)).isTrue();
  }

  @Test
  void malformedBindIsAProtocolViolation() {
    byte[] mismatched = wire().cstr("").cstr("").int16(2).int16(0).int16(0).int16(1).bytes();
    assertThatThrownBy(() -> MessageReader.bind(Unpooled.wrappedBuffer(mismatched), UTF8))
        .isInstanceOf(ProtocolViolationException.class)
        .hasMessageContaining("2 parameter formats for 1 parameters");
    byte[] truncated = wire().cstr("").cstr("").int16(0).int16(1).int32(10).int8('x').bytes();
    assertThatThrownBy(() -> MessageReader.bind(Unpooled.wrappedBuffer(truncated), UTF8))
        .isInstanceOf(ProtocolViolationException.class)
        .hasMessageContaining("too short");
    byte[] unterminated = wire().raw("portal".getBytes(UTF8)).bytes();
    assertThatThrownBy(() -> MessageReader.bindNames(Unpooled.wrappedBuffer(unterminated), UTF8))
        .isInstanceOf(ProtocolViolationException.class);
  }

  @Test
  void executeCloseAndDescribeTargets() {
    ByteBuf m = FrontendMessages.execute(ALLOC, "portal", UTF8);
    try {
      assertThat(MessageReader.executePortal(payload(m), UTF8)).isEqualTo("portal");
    } finally {
      m.release();
    }
    MessageReader.Target t =
        MessageReader.target(Unpooled.wrappedBuffer(wire().int8('S').cstr("st").bytes()), UTF8);
    assertThat(t.kind()).isEqualTo((byte) 'S');
    assertThat(t.name()).isEqualTo("st");
    assertThatThrownBy(
            () ->
                MessageReader.target(
                    Unpooled.wrappedBuffer(wire().int8('X').cstr("").bytes()), UTF8))
        .isInstanceOf(ProtocolViolationException.class)
        .hasMessageContaining("'X'");
  }

  @Test
  void dataRowsAndCommandTags() {
    ByteBuf row = BackendMessages.dataRow(ALLOC, "1", null, "ß");
    try {
      assertThat(MessageReader.dataRow(payload(row), UTF8)).containsExactly("1", null, "ß");
    } finally {
      row.release();
    }
    ByteBuf tag = BackendMessages.commandComplete(ALLOC, "INSERT 0 42");
    try {
      assertThat(MessageReader.commandTag(payload(tag))).isEqualTo("INSERT 0 42");
    } finally {
      tag.release();
    }
    assertThat(MessageReader.rowCount("INSERT 0 42")).isEqualTo(42);
    assertThat(MessageReader.rowCount("UPDATE 7")).isEqualTo(7);
    assertThat(MessageReader.rowCount("CREATE TABLE")).isZero();
    assertThat(MessageReader.rowCount("BEGIN")).isZero();
  }

  @Test
  void mentionsFindsTheWordInAnyCaseWithoutDecoding() {
    assertThat(
            MessageReader.mentions(
                Unpooled.copiedBuffer("select PgTrickle.x()", UTF8), "pgtrickle"))
        .isTrue();
    assertThat(MessageReader.mentions(Unpooled.copiedBuffer("select pgtrickl", UTF8), "pgtrickle"))
        .isFalse();
    assertThat(MessageReader.mentions(Unpooled.copiedBuffer("", UTF8), "pgtrickle")).isFalse();
  }

  @Test
  void frameExposesPayloadAndWholeMessage() {
    ByteBuf m = FrontendMessages.sync(ALLOC);
    Frame f = new Frame(m);
    try {
      assertThat(f.type()).isEqualTo((byte) 'S');
      assertThat(f.length()).isEqualTo(4);
      assertThat(f.payload().readableBytes()).isZero();
      assertThat(f.message().readableBytes()).isEqualTo(5);
    } finally {
      f.release();
    }
    ByteBuf bad = Unpooled.wrappedBuffer(wire().int8('Q').int32(9).bytes());
    assertThatThrownBy(() -> new Frame(bad)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void clientEncodingsMapToJavaCharsets() {
    assertThat(ClientEncodings.charset("UTF8")).isEqualTo(UTF8);
    assertThat(ClientEncodings.charset("LATIN1")).isEqualTo(StandardCharsets.ISO_8859_1);
    assertThat(ClientEncodings.charset("win1252").name()).isEqualTo("windows-1252");
    assertThat(ClientEncodings.charset("MULE_INTERNAL")).isEqualTo(UTF8);
  }

  private static ByteBuf payload(ByteBuf message) {
    return message.slice(Frame.HEADER_LENGTH, message.readableBytes() - Frame.HEADER_LENGTH);
  }
}
