package io.pgtrickle.server.protocol;

import static io.pgtrickle.server.protocol.Wire.wire;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.pgtrickle.errors.PgTrickleException;
import io.pgtrickle.errors.SqlState;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LeakCheckExtension.class)
class BackendMessagesTest {
  private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

  @Test
  void errorResponseIsByteExact() {
    byte[] expected = {
      'E', 0, 0, 0, 41, 'S', 'E', 'R', 'R', 'O', 'R', 0, 'V', 'E', 'R', 'R', 'O', 'R', 0, 'C', '0',
      '8', 'P', '0', '1', 0, 'M', 'b', 'a', 'd', 0, 'D', 'd', 0, 'H', 'h', 0, 'P', '1', '2', 0, 0
    };
    assertThat(bytes(a -> BackendMessages.errorResponse(a, "08P01", "bad", "d", "h", 12)))
        .isEqualTo(expected);
  }

  @Test
  void errorResponseFromExceptionLeavesOutAbsentFields() {
    PgTrickleException e = PgTrickleException.builder(SqlState.PROTOCOL_VIOLATION, "bad").build();
    byte[] expected =
        wire()
            .msg(
                'E',
                wire()
                    .int8('S')
                    .cstr("ERROR")
                    .int8('V')
                    .cstr("ERROR")
                    .int8('C')
                    .cstr("08P01")
                    .int8('M')
                    .cstr("bad")
                    .int8(0))
            .bytes();
    assertThat(bytes(a -> BackendMessages.errorResponse(a, e))).isEqualTo(expected);
  }

  @Test
  void readyForQueryIsByteExact() {
    assertThat(bytes(a -> BackendMessages.readyForQuery(a, MessageTags.TransactionStatus.IDLE)))
        .containsExactly('Z', 0, 0, 0, 5, 'I');
  }

  @Test
  void commandCompleteIsByteExact() {
    assertThat(bytes(a -> BackendMessages.commandComplete(a, "SELECT 1")))
        .containsExactly('C', 0, 0, 0, 13, 'S', 'E', 'L', 'E', 'C', 'T', ' ', '1', 0);
  }

  @Test
  void rowDescriptionAndDataRow() {
    assertThat(bytes(a -> BackendMessages.rowDescription(a, "n", 23, 4)))
        .isEqualTo(
            wire()
                .msg(
                    'T',
                    wire()
                        .int16(1)
                        .cstr("n")
                        .int32(0)
                        .int16(0)
                        .int32(23)
                        .int16(4)
                        .int32(-1)
                        .int16(0))
                .bytes());
    assertThat(bytes(a -> BackendMessages.dataRow(a, "42", null, "é")))
        .isEqualTo(
            wire()
                .msg(
                    'D',
                    wire()
                        .int16(3)
                        .int32(2)
                        .raw("42".getBytes())
                        .int32(-1)
                        .int32(2)
                        .raw(new byte[] {(byte) 0xc3, (byte) 0xa9}))
                .bytes());
  }

  @Test
  void emptyMessagesAndRefusal() {
    assertThat(bytes(BackendMessages::emptyQueryResponse)).containsExactly('I', 0, 0, 0, 4);
    assertThat(bytes(BackendMessages::parseComplete)).containsExactly('1', 0, 0, 0, 4);
    assertThat(bytes(BackendMessages::bindComplete)).containsExactly('2', 0, 0, 0, 4);
    assertThat(bytes(BackendMessages::noData)).containsExactly('n', 0, 0, 0, 4);
    assertThat(bytes(BackendMessages::refuseEncryption)).containsExactly('N');
  }

  @Test
  void writeFrameFillsInTheLengthAndReleasesOnFailure() {
    assertThat(bytes(a -> BackendMessages.writeFrame(a, (byte) 'd', b -> b.writeLong(7))))
        .isEqualTo(wire().msg('d', wire().int32(0).int32(7)).bytes());
    assertThatThrownBy(() -> BackendMessages.commandComplete(ALLOC, "a\0b"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static byte[] bytes(Function<ByteBufAllocator, ByteBuf> write) {
    ByteBuf buf = write.apply(ALLOC);
    try {
      return ByteBufUtil.getBytes(buf);
    } finally {
      buf.release();
    }
  }
}
