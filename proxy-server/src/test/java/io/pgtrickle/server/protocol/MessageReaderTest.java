package io.pgtrickle.server.protocol;

import static io.pgtrickle.server.protocol.Wire.wire;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LeakCheckExtension.class)
class MessageReaderTest {
  @Test
  void readsErrorFieldsInOrderWithoutMovingTheReaderIndex() {
    with(
        wire().int8('S').cstr("ERROR").int8('C').cstr("42P01").int8('M').cstr("relation ✗").int8(0),
        p -> {
          assertThat(MessageReader.fields(p))
              .containsExactly(
                  java.util.Map.entry('S', "ERROR"),
                  java.util.Map.entry('C', "42P01"),
                  java.util.Map.entry('M', "relation ✗"));
          assertThat(p.readerIndex()).isZero();
        });
  }

  @Test
  void roundTripsTheErrorResponseEncoder() {
    ByteBuf msg =
        BackendMessages.errorResponse(
            PooledByteBufAllocator.DEFAULT, "22012", "division", null, "h", 0);
    try {
      ByteBuf payload = msg.slice(5, msg.readableBytes() - 5);
      assertThat(MessageReader.fields(payload))
          .containsOnlyKeys('S', 'V', 'C', 'M', 'H')
          .containsEntry('C', "22012");
    } finally {
      msg.release();
    }
  }

  @Test
  void malformedFields() {
    with(wire().int8('S').cstr("ERROR"), p -> assertViolation(() -> MessageReader.fields(p)));
    with(
        wire().int8('S').raw("ERR".getBytes()),
        p -> assertViolation(() -> MessageReader.fields(p)));
    with(wire().int8(0).int8(0), p -> assertViolation(() -> MessageReader.fields(p)));
  }

  @Test
  void readsQueryText() {
    with(
        wire().cstr("SELECT 'ü'"), p -> assertThat(MessageReader.query(p)).isEqualTo("SELECT 'ü'"));
    with(wire().raw("SELECT".getBytes()), p -> assertViolation(() -> MessageReader.query(p)));
    with(wire().cstr("a").cstr("b"), p -> assertViolation(() -> MessageReader.query(p)));
  }

  @Test
  void readsTransactionStatus() {
    with(
        wire().int8('T'),
        p -> assertThat(MessageReader.readyForQueryStatus(p)).isEqualTo((byte) 'T'));
    with(wire().int8('x'), p -> assertViolation(() -> MessageReader.readyForQueryStatus(p)));
    with(wire(), p -> assertViolation(() -> MessageReader.readyForQueryStatus(p)));
  }

  private static void assertViolation(Runnable r) {
    assertThatThrownBy(r::run).isInstanceOf(ProtocolViolationException.class);
  }

  private static void with(Wire payload, Consumer<ByteBuf> check) {
    byte[] b = payload.bytes();
    ByteBuf buf = Wire.buf(b, 0, b.length);
    try {
      check.accept(buf);
    } finally {
      buf.release();
    }
  }
}
