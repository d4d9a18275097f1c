package io.pgtrickle.server.protocol;

import static io.pgtrickle.server.protocol.Wire.wire;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.pgtrickle.errors.SqlState;
import io.pgtrickle.server.protocol.StartupPacket.CancelRequest;
import io.pgtrickle.server.protocol.StartupPacket.GssEncRequest;
import io.pgtrickle.server.protocol.StartupPacket.SslRequest;
import io.pgtrickle.server.protocol.StartupPacket.StartupMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LeakCheckExtension.class)
class FrontendDecoderTest {
  private EmbeddedChannel ch = new EmbeddedChannel(new FrontendDecoder());

  @AfterEach
  void close() {
    ch.finishAndReleaseAll();
  }

  private EmbeddedChannel fresh() {
    ch.finishAndReleaseAll();
    ch = new EmbeddedChannel(new FrontendDecoder());
    return ch;
  }

  @Test
  void decodesStartupMessageWithOrderedParametersAndRawPacket() {
    byte[] packet = wire().startup(Wire.orderedParams()).bytes();
    ch.writeInbound(Wire.buf(packet, 0, packet.length));
    StartupMessage m = ch.readInbound();
    try {
      assertThat(m.protocolVersion()).isEqualTo(MessageTags.PROTOCOL_3_0);
      assertThat(m.majorVersion()).isEqualTo(3);
      assertThat(m.minorVersion()).isZero();
      assertThat(m.parameters().keySet())
          .containsExactly("user", "database", "application_name", "options");
      assertThat(m.parameters()).containsEntry("application_name", "psql ✓");
      assertThat(m.parameters()).containsEntry("options", "");
      assertThat(ByteBufUtil.getBytes(m.raw())).isEqualTo(packet);
    } finally {
      m.release();
    }
    assertThat(((FrontendDecoder) ch.pipeline().first()).inTypedPhase()).isTrue();
  }

  @Test
  void decodesEveryFrontendMessageKind() {
    char[] types = {'Q', 'P', 'B', 'D', 'E', 'S', 'H', 'C', 'X', 'd', 'c', 'f', 'F', 'p'};
    Wire stream = wire().startup(Map.of("user", "u"));
    List<String> expected = new ArrayList<>();
    for (char t : types) {
      byte[] body = wire().cstr("body of " + t).bytes();
      stream.msg(t, body);
      expected.add(t + ":" + ByteBufUtil.hexDump(body));
    }
    List<String> items = Wire.feed(ch, List.of(stream.bytes()));
    assertThat(items).hasSize(types.length + 1);
    assertThat(items.subList(1, items.size())).isEqualTo(expected);
  }

  @Test
  void sessionDecodesTheSameWhateverTheSplit() {
    byte[] session = Wire.session();
    List<String> whole = Wire.feed(ch, List.of(session));
    assertThat(whole).hasSize(8);
    assertThat(whole.get(0)).startsWith("startup:");
    assertThat(whole.subList(1, 8))
        .extracting(s -> s.charAt(0))
        .containsExactly('Q', 'P', 'B', 'D', 'E', 'S', 'X');
    for (int at = 0; at <= session.length; at++) {
      assertThat(Wire.feedSplit(fresh(), session, at)).as("split at %d", at).isEqualTo(whole);
    }
    assertThat(Wire.feedBytewise(fresh(), session)).isEqualTo(whole);
  }

  @Test
  void sslRequestThenStartupMessage() {
    byte[] ssl = wire().sslRequest().bytes();
    byte[] startup = wire().startup(Map.of("user", "u")).bytes();
    for (int at = 0; at <= ssl.length; at++) {
      List<String> items = Wire.feedSplit(fresh(), ssl, at);
      items.addAll(Wire.feed(ch, List.of(startup)));
      assertThat(items).hasSize(2);
      assertThat(items.get(0)).isEqualTo(new SslRequest().toString());
      assertThat(items.get(1)).startsWith("startup:196608{user=u}");
    }
  }

  @Test
  void gssEncRequestThenSslRequestThenStartup() {
    List<String> items =
        Wire.feed(
            ch,
            List.of(
                wire().gssEncRequest().bytes(),
                wire().sslRequest().bytes(),
                wire().startup(Map.of("user", "u")).bytes()));
    assertThat(items).hasSize(3);
    assertThat(items.get(0)).isEqualTo(new GssEncRequest().toString());
    assertThat(items.get(1)).isEqualTo(new SslRequest().toString());
  }

  @Test
  void cancelRequest() {
    byte[] cancel = wire().cancelRequest(4242, -17).bytes();
    ch.writeInbound(Wire.buf(cancel, 0, cancel.length));
    assertThat((Object) ch.readInbound()).isEqualTo(new CancelRequest(4242, -17));
    assertViolation(wire().msg('Q', wire().cstr("SELECT 1")).bytes(), "after CancelRequest");
  }

  @Test
  void bytesStuffedAfterSslRequestAreRejected() {
    byte[] stream = wire().sslRequest().startup(Map.of("user", "u")).bytes();
    assertViolation(stream, "unencrypted data after SSLRequest");
    assertThat((Object) ch.readInbound()).isNull();
  }

  @Test
  void duplicateSslRequestIsRejected() {
    Wire.feed(ch, List.of(wire().sslRequest().bytes()));
    assertViolation(wire().sslRequest().bytes(), "duplicate SSLRequest");
  }

  @Test
  void oversizedStartupPacket() {
    assertViolation(wire().int32(10_001).int32(MessageTags.PROTOCOL_3_0).bytes(), "10001");
  }

  @Test
  void tooShortStartupPacket() {
    assertViolation(wire().int32(3).int32(0).bytes(), "invalid length 3 of startup packet");
    fresh();
    assertViolation(wire().int32(-1).bytes(), "invalid length -1 of startup packet");
  }

  @Test
  void garbageStartupCode() {
    assertViolation(wire().int32(8).int32(0x12345678).bytes(), "unsupported startup packet code");
    fresh();
    // Protocol 2.0 is long gone.
    assertViolation(wire().int32(9).int32(2 << 16).int8(0).bytes(), "protocol 2.0");
  }

  @Test
  void malformedStartupParameters() {
    byte[] noTerminator =
        wire().int32(19).int32(MessageTags.PROTOCOL_3_0).cstr("user").cstr("alice").bytes();
    assertViolation(noTerminator, "missing terminator");
    fresh();
    byte[] noValue =
        wire().int32(14).int32(MessageTags.PROTOCOL_3_0).cstr("user").int8('x').bytes();
    assertViolation(noValue, "has no value");
    fresh();
    byte[] trailing =
        wire().int32(11).int32(MessageTags.PROTOCOL_3_0).int8(0).int8('x').int8(0).bytes();
    assertViolation(trailing, "terminator as last byte");
  }

  @Test
  void wrongNegotiationLengths() {
    assertViolation(
        wire().int32(12).int32(MessageTags.SSL_REQUEST_CODE).int32(0).bytes(), "(must be 8)");
    fresh();
    assertViolation(
        wire().int32(12).int32(MessageTags.CANCEL_REQUEST_CODE).int32(0).bytes(), "(must be 16)");
  }

  @Test
  void oversizedFrameIsRejectedBeforeItsBodyArrives() {
    ch = new EmbeddedChannel(new FrontendDecoder(100, 10_000));
    Wire.feed(ch, List.of(wire().startup(Map.of("user", "u")).bytes()));
    byte[] ok = wire().msg('Q', new byte[96]).bytes();
    assertThat(Wire.feed(ch, List.of(ok))).hasSize(1);
    assertViolation(
        wire().int8('Q').int32(101).bytes(), "invalid length 101 of message of type 'Q'");
  }

  @Test
  void frameLengthBelowFourIsRejected() {
    Wire.feed(ch, List.of(wire().startup(Map.of("user", "u")).bytes()));
    assertViolation(wire().int8('S').int32(3).bytes(), "invalid length 3");
    fresh();
    Wire.feed(ch, List.of(wire().startup(Map.of("user", "u")).bytes()));
    assertViolation(wire().int8(1).int32(Integer.MIN_VALUE).bytes(), "of type 0x01");
  }

  @Test
  void framesBeforeTheViolationAreDeliveredAndNothingAfter() {
    byte[] stream =
        wire()
            .startup(Map.of("user", "u"))
            .msg('Q', wire().cstr("SELECT 1"))
            .int8('Q')
            .int32(2)
            .msg('Q', wire().cstr("SELECT 2"))
            .bytes();
    assertThatThrownBy(() -> ch.writeInbound(Wire.buf(stream, 0, stream.length)))
        .isInstanceOf(ProtocolViolationException.class);
    List<String> items = new ArrayList<>();
    Wire.drain(ch, items);
    assertThat(items).hasSize(2);
    byte[] valid = wire().msg('Q', wire().cstr("SELECT 3")).bytes();
    assertThat(Wire.feed(ch, List.of(valid))).isEmpty();
    assertThat(((FrontendDecoder) ch.pipeline().first()).isFailed()).isTrue();
  }

  @Test
  void violationConvertsToSqlStateProtocolViolation() {
    var e = new ProtocolViolationException("bad").toSqlException();
    assertThat(e.getSQLState()).isEqualTo(SqlState.PROTOCOL_VIOLATION.code()).isEqualTo("08P01");
    assertThat(e.getMessage()).isEqualTo("bad");
  }

  @Test
  void payloadIsAZeroCopySliceOfTheInput() {
    byte[] stream = wire().startup(Map.of("user", "u")).msg('Q', wire().cstr("SELECT 1")).bytes();
    ByteBuf in = Wire.buf(stream, 0, stream.length);
    ch.writeInbound(in.retain());
    StartupMessage startup = ch.readInbound();
    Frame query = ch.readInbound();
    try {
      // The decoder let go of the input; what keeps it alive are our reference and the two slices.
      assertThat(in.refCnt()).isEqualTo(3);
      int queryStart = stream.length - 9;
      in.setByte(queryStart, 'W');
      assertThat(query.payload().getByte(query.payload().readerIndex())).isEqualTo((byte) 'W');
      in.setByte(0, 0x7f);
      assertThat(startup.raw().getByte(startup.raw().readerIndex())).isEqualTo((byte) 0x7f);
    } finally {
      // Each slice counts its own references and holds one on the input until it is released.
      query.release();
      startup.release();
      int left = in.refCnt();
      in.release();
      assertThat(left).isEqualTo(1);
    }
  }

  private void assertViolation(byte[] stream, String messagePart) {
    assertThatThrownBy(() -> ch.writeInbound(Wire.buf(stream, 0, stream.length)))
        .isInstanceOf(ProtocolViolationException.class)
        .hasMessageContaining(messagePart);
    List<String> after = new ArrayList<>();
    Wire.drain(ch, after);
    // Further input, even valid, is discarded.
    byte[] valid = wire().msg('Q', wire().cstr("SELECT 1")).bytes();
    assertThat(Wire.feed(ch, List.of(valid))).isEmpty();
  }
}
