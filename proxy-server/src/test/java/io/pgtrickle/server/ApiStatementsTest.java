package io.pgtrickle.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.pgtrickle.server.protocol.MessageReader;
import io.pgtrickle.sql.api.ApiCall;
import io.pgtrickle.sql.api.ApiCallRecognizer;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Tracking of API statements and portals, and the stand-in query the server prepares. */
class ApiStatementsTest {

  @Test
  void standInHasTheFunctionsResultShapeAndTakesEveryParameter() throws Exception {
    ApiCall call = call("SELECT pgtrickle.refresh_stream_table($1)");
    assertThat(ApiStatements.standIn(call, 0))
        .isEqualTo("SELECT NULL::void AS \"refresh_stream_table\"");
    assertThat(ApiStatements.standIn(call, 2))
        .isEqualTo(
            "SELECT NULL::void AS \"refresh_stream_table\" FROM (VALUES ($1::text, $2::text))"
                + " AS pgtrickle_parameters");
    ApiCall aliased = call("SELECT pgtrickle.drop_stream_table('x') AS \"Done\"");
    assertThat(ApiStatements.standIn(aliased, 0)).isEqualTo("SELECT NULL::void AS \"Done\"");
  }

  @Test
  void portalsCarryTheirValuesAndDieWithTheirTransaction() throws Exception {
    ApiStatements api = new ApiStatements();
    ApiCall call = call("SELECT pgtrickle.refresh_stream_table($1)");
    api.prepared("s", call, new int[] {16, 23, 25});
    byte[] bool = {1};
    byte[] int4 = ByteBuffer.allocate(4).putInt(-7).array();
    api.bound(
        "p",
        api.statement("s"),
        bind(new short[] {1, 1, 0}, bool, int4, "t1".getBytes(StandardCharsets.UTF_8)),
        StandardCharsets.UTF_8,
        3);
    ApiStatements.Portal portal = api.portal("p");
    assertThat((Object) portal.error()).isNull();
    assertThat(portal.values()).containsExactly(true, "-7", "t1");
    api.transactionEnded(3);
    assertThat(api.portal("p")).isNotNull();
    api.transactionEnded(4);
    assertThat(api.portal("p")).isNull();
  }

  @Test
  void binaryValuesOfOtherTypesAreRefusedAtExecute() throws Exception {
    ApiStatements api = new ApiStatements();
    api.prepared("", call("SELECT pgtrickle.refresh_stream_table($1)"), new int[] {1700});
    api.bound(
        "", api.statement(""), bind(new short[] {1}, new byte[] {0, 1}), StandardCharsets.UTF_8, 0);
    assertThat(api.portal("").error().getSQLState()).isEqualTo("0A000");
  }

  @Test
  void anOrdinaryParseReplacesOnlyTheUnnamedStatement() throws Exception {
    ApiStatements api = new ApiStatements();
    ApiCall call = call("SELECT pgtrickle.refresh_stream_table('x')");
    api.prepared("", call, new int[0]);
    api.prepared("named", call, new int[0]);
    api.preparedOther("");
    api.preparedOther("named");
    assertThat(api.statement("")).isNull();
    assertThat(api.statement("named")).isNotNull();
    api.closed((byte) 'S', "named");
    assertThat(api.isEmpty()).isTrue();
  }

  private static ApiCall call(String sql) throws Exception {
    return ApiCallRecognizer.recognize(sql, false).orElseThrow();
  }

  private static MessageReader.Bind bind(short[] formats, byte[]... values) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {0, 0}); // portal "", statement ""
    writeShort(out, formats.length);
    for (short f : formats) {
      writeShort(out, f);
    }
    writeShort(out, values.length);
    for (byte[] v : values) {
      out.writeBytes(ByteBuffer.allocate(4).putInt(v.length).array());
      out.writeBytes(v);
    }
    writeShort(out, 0);
    return MessageReader.bind(Unpooled.wrappedBuffer(out.toByteArray()), StandardCharsets.UTF_8);
  }

  private static void writeShort(ByteArrayOutputStream out, int v) {
    out.write(v >>> 8);
    out.write(v);
  }
}
