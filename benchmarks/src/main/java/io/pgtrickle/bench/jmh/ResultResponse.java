package io.pgtrickle.bench.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.pgtrickle.server.protocol.MessageTags;
import java.nio.charset.StandardCharsets;

/**
 * A server's whole answer to a query returning many rows, as bytes on the wire: RowDescription, one
 * DataRow per row, CommandComplete and ReadyForQuery. The rows look like an orders table read in
 * text format: {@code id, customer, region, amount, order_date}, about 80 bytes a message.
 */
final class ResultResponse {
  private static final String[] COLUMNS = {"id", "customer", "region", "amount", "order_date"};
  private static final int[] TYPES = {23, 25, 25, 1700, 1114}; // int4 text text numeric timestamp
  private static final int[] SIZES = {4, -1, -1, -1, 8};
  private static final String[] REGIONS = {"EU", "NA", "APAC", "LATAM"};

  private ResultResponse() {}

  /** The bytes of a response with {@code rows} DataRows. */
  static byte[] of(int rows) {
    ByteBuf out = Unpooled.buffer();
    message(
        out,
        MessageTags.Backend.ROW_DESCRIPTION,
        body -> {
          body.writeShort(COLUMNS.length);
          for (int i = 0; i < COLUMNS.length; i++) {
            cString(body, COLUMNS[i]);
            body.writeInt(16_390); // table OID
            body.writeShort(i + 1); // column number
            body.writeInt(TYPES[i]);
            body.writeShort(SIZES[i]);
            body.writeInt(-1); // no type modifier
            body.writeShort(0); // text format
          }
        });
    for (int r = 1; r <= rows; r++) {
      int id = 100_000 + r;
      String[] values = {
        Integer.toString(id),
        "customer_" + digits(id % 5_000, 6),
        REGIONS[r % REGIONS.length],
        (id * 37) % 10_000 + "." + digits(id % 100, 2),
        "2024-05-"
            + digits(1 + r % 28, 2)
            + " 13:"
            + digits(r % 60, 2)
            + ":"
            + digits((r * 7) % 60, 2)
            + "."
            + digits(id, 6)
      };
      message(
          out,
          MessageTags.Backend.DATA_ROW,
          body -> {
            body.writeShort(values.length);
            for (String v : values) {
              byte[] bytes = v.getBytes(StandardCharsets.UTF_8);
              body.writeInt(bytes.length).writeBytes(bytes);
            }
          });
    }
    message(out, MessageTags.Backend.COMMAND_COMPLETE, body -> cString(body, "SELECT " + rows));
    message(
        out,
        MessageTags.Backend.READY_FOR_QUERY,
        body -> body.writeByte(MessageTags.TransactionStatus.IDLE));
    byte[] bytes = new byte[out.readableBytes()];
    out.readBytes(bytes);
    out.release();
    return bytes;
  }

  private static void message(ByteBuf out, byte type, java.util.function.Consumer<ByteBuf> body) {
    out.writeByte(type);
    int lengthAt = out.writerIndex();
    out.writeInt(0);
    body.accept(out);
    out.setInt(lengthAt, out.writerIndex() - lengthAt);
  }

  /** {@code value} zero-padded to {@code width} digits. */
  private static String digits(int value, int width) {
    String s = Integer.toString(value);
    return "0".repeat(Math.max(0, width - s.length())) + s;
  }

  private static void cString(ByteBuf out, String s) {
    out.writeBytes(s.getBytes(StandardCharsets.UTF_8)).writeByte(0);
  }
}
