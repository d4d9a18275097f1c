package io.pgtrickle.server.protocol;

import static io.pgtrickle.server.protocol.Wire.wire;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LeakCheckExtension.class)
class BackendDecoderTest {
  private BackendDecoder decoder = new BackendDecoder();
  private EmbeddedChannel ch = new EmbeddedChannel(decoder);

  @AfterEach
  void close() {
    ch.finishAndReleaseAll();
  }

  private EmbeddedChannel fresh() {
    ch.finishAndReleaseAll();
    decoder = new BackendDecoder();
    ch = new EmbeddedChannel(decoder);
    return ch;
  }

  @Test
  void decodesEveryBackendMessageKind() {
    char[] types = {
      'R', 'K', 'S', 'Z', 'T', 'D', 'C', 'I', 'E', 'N', '1', '2', '3', 'n', 't', 's', 'G', 'H', 'W',
      'A', 'v', 'd', 'c'
    };
    Wire stream = wire();
    List<String> expected = new ArrayList<>();
    for (char t : types) {
      byte[] body = t == 'I' ? new byte[0] : wire().int32(t).cstr("x").bytes();
      stream.msg(t, body);
      expected.add(t + ":" + ByteBufUtil.hexDump(body));
    }
    assertThat(Wire.feed(ch, List.of(stream.bytes()))).isEqualTo(expected);
  }

  @Test
  void sessionDecodesTheSameWhateverTheSplit() {
    byte[] session = Wire.serverSession();
    List<String> whole = Wire.feed(ch, List.of(session));
    assertThat(whole)
        .extracting(s -> s.charAt(0))
        .containsExactly('R', 'S', 'K', 'Z', 'T', 'D', 'C', 'Z', '1', '2', 'n', 'E', 'Z');
    for (int at = 0; at <= session.length; at++) {
      assertThat(Wire.feedSplit(fresh(), session, at)).as("split at %d", at).isEqualTo(whole);
    }
    assertThat(Wire.feedBytewise(fresh(), session)).isEqualTo(whole);
  }

  /**
   * The proxy holds each read's frames until the client's socket has taken them and only then
   * releases them. Over a long stream of rows, reads that end inside a row must not make the
   * decoder's buffer grow with the stream, as Netty's own cumulator did (75 MB while relaying 300
   * MB).
   */
  @Test
  void bufferStaysSmallOverALongStreamOfRowsCutMidRow() {
    byte[] row = wire().msg('D', wire().int16(1).int32(1000).raw(new byte[1000])).bytes();
    int rows = 16_000;
    byte[] stream = new byte[row.length * rows];
    for (int i = 0; i < rows; i++) {
      System.arraycopy(row, 0, stream, i * row.length, row.length);
    }
    // 64 KiB reads, like a socket's, that end inside a row for hundreds of reads in a row.
    int read = 64 * 1024 + 7;
    int largest = 0;
    int frames = 0;
    for (int from = 0; from < stream.length; from += read) {
      ch.writeInbound(Wire.buf(stream, from, Math.min(stream.length, from + read)));
      Frame f;
      while ((f = ch.readInbound()) != null) {
        // The message is a slice (perhaps leak-tracked) of the buffer it was cut from.
        for (ByteBuf b = f.message(); b != null; b = b.unwrap()) {
          largest = Math.max(largest, b.capacity());
        }
        frames++;
        f.release();
      }
    }
    assertThat(frames).isEqualTo(rows);
    assertThat(largest).as("largest buffer frames were cut from").isLessThan(1 << 20);
  }

  @Test
  void sslResponseIsOneUntypedByteThenFramesFollow() {
    for (char answer : new char[] {'S', 'N', 'G'}) {
      fresh();
      decoder.expectSslResponse();
      assertThat(Wire.feed(ch, List.of(new byte[] {(byte) answer})))
          .containsExactly(new SslResponse((byte) answer).toString());
      byte[] auth = wire().msg('R', wire().int32(0)).bytes();
      assertThat(Wire.feed(ch, List.of(auth))).containsExactly("R:00000000");
    }
    assertThat(new SslResponse((byte) 'N').accepted()).isFalse();
    assertThat(new SslResponse((byte) 'S').accepted()).isTrue();
  }

  @Test
  void errorInsteadOfSslResponseIsAnErrorFrame() {
    decoder.expectSslResponse();
    byte[] error = wire().msg('E', wire().int8('M').cstr("no").int8(0)).bytes();
    for (int at = 0; at <= error.length; at++) {
      fresh().pipeline();
      decoder.expectSslResponse();
      assertThat(Wire.feedSplit(ch, error, at)).singleElement().asString().startsWith("E:");
    }
  }

  @Test
  void invalidOrStuffedSslResponse() {
    decoder.expectSslResponse();
    assertViolation(new byte[] {'R'}, "invalid answer 'R' to SSLRequest");
    fresh();
    decoder.expectSslResponse();
    assertViolation(new byte[] {'S', 0x16, 0x03}, "unencrypted data after the answer");
  }

  @Test
  void invalidLengths() {
    assertViolation(wire().int8('Z').int32(3).bytes(), "invalid length 3 of message of type 'Z'");
    fresh();
    assertViolation(wire().int8('D').int32(-5).bytes(), "invalid length -5");
    ch = new EmbeddedChannel(new BackendDecoder(64));
    assertViolation(wire().int8('D').int32(65).bytes(), "between 4 and 64");
  }

  private void assertViolation(byte[] stream, String messagePart) {
    assertThatThrownBy(() -> ch.writeInbound(Wire.buf(stream, 0, stream.length)))
        .isInstanceOf(ProtocolViolationException.class)
        .hasMessageContaining(messagePart);
    assertThat((Object) ch.readInbound()).isNull();
    byte[] valid = wire().msg('Z', wire().int8('I')).bytes();
    assertThat(Wire.feed(ch, List.of(valid))).isEmpty();
  }
}
