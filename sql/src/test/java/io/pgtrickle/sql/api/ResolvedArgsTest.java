package io.pgtrickle.sql.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtrickle.errors.PgTrickleException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResolvedArgsTest {

  private static ApiCall call(String sql) throws PgTrickleException {
    return ApiCallRecognizer.recognize(sql, true).orElseThrow();
  }

  private static PgTrickleException fail(ApiCall call, Object... values) {
    try {
      call.resolve(Arrays.asList(values));
    } catch (PgTrickleException e) {
      return e;
    }
    throw new AssertionError("expected resolve to fail");
  }

  @Test
  void fillsInDefaults() throws Exception {
    ResolvedArgs args =
        call("SELECT pgtrickle.create_stream_table('orders_st', 'SELECT 1')").resolve();
    assertThat(args.function()).isEqualTo(ApiFunction.CREATE_STREAM_TABLE);
    assertThat(args.text("name")).isEqualTo("orders_st");
    assertThat(args.text("query")).isEqualTo("SELECT 1");
    assertThat(args.text("schedule")).isEqualTo("calculated");
    assertThat(args.text("refresh_mode")).isEqualTo("AUTO");
    assertThat(args.bool("initialize")).isTrue();
    assertThat(args.text("cdc_mode")).isNull();
    assertThat(args.bool("append_only")).isFalse();
    assertThat(args.bool("pooler_compatibility_mode")).isFalse();
    assertThat(args.isSpecified("name")).isTrue();
    assertThat(args.isSpecified("schedule")).isFalse();
    assertThat(args.values().keySet())
        .containsExactlyElementsOf(
            ApiFunction.CREATE_STREAM_TABLE.parameters().stream().map(ApiParameter::name).toList());
  }

  @Test
  void anExplicitNullOverridesTheDefault() throws Exception {
    ResolvedArgs args =
        call("SELECT pgtrickle.create_stream_table('a', 'q', schedule => NULL)").resolve();
    assertThat(args.text("schedule")).isNull();
    assertThat(args.isSpecified("schedule")).isTrue();
  }

  @Test
  void alterLeavesUnspecifiedPropertiesNull() throws Exception {
    ResolvedArgs args = call("SELECT pgtrickle.alter_stream_table('m', tier => 'hot')").resolve();
    assertThat(args.text("tier")).isEqualTo("hot");
    assertThat(args.bool("append_only")).isNull();
    assertThat(args.specified()).containsExactly("name", "tier");
  }

  @Test
  void substitutesBoundParameters() throws Exception {
    ApiCall c =
        call(
            "SELECT pgtrickle.create_stream_table(?, ?, schedule => ?, initialize => ?,"
                + " append_only => ?, pooler_compatibility_mode => ?)");
    ResolvedArgs args =
        c.resolve(Arrays.asList("st", new StringBuilder("SELECT 2"), null, false, " on ", "0"));
    assertThat(args.text("name")).isEqualTo("st");
    assertThat(args.text("query")).isEqualTo("SELECT 2");
    assertThat(args.text("schedule")).isNull();
    assertThat(args.isSpecified("schedule")).isTrue();
    assertThat(args.bool("initialize")).isFalse();
    assertThat(args.bool("append_only")).isTrue();
    assertThat(args.bool("pooler_compatibility_mode")).isFalse();
  }

  @Test
  void dollarParametersMayRepeatAndComeInAnyOrder() throws Exception {
    ResolvedArgs args =
        ApiCallRecognizer.recognize(
                "SELECT pgtrickle.create_stream_table($2, $1, refresh_mode => $2)", false)
            .orElseThrow()
            .resolve(List.of("q", "FULL"));
    assertThat(args.values())
        .containsEntry("name", "FULL")
        .containsEntry("query", "q")
        .containsEntry("refresh_mode", "FULL");
  }

  @Test
  void invalidBooleanParameterValue() throws Exception {
    PgTrickleException e =
        fail(call("SELECT pgtrickle.alter_stream_table('a', append_only => ?)"), "maybe");
    assertThat(e.getSQLState()).isEqualTo("22023");
    assertThat(e.getMessage())
        .isEqualTo(
            "invalid input syntax for type boolean: \"maybe\" (parameter append_only of"
                + " pgtrickle.alter_stream_table)");
  }

  @Test
  void wrongJavaTypesAreRejected() throws Exception {
    PgTrickleException text = fail(call("SELECT pgtrickle.drop_stream_table(?)"), 42);
    assertThat(text.getSQLState()).isEqualTo("22023");
    assertThat(text.getMessage())
        .isEqualTo(
            "parameter $1 (name of pgtrickle.drop_stream_table) must be text, but a value of type"
                + " Integer was bound");
    PgTrickleException bool =
        fail(call("SELECT pgtrickle.alter_stream_table('a', append_only => ?)"), 1);
    assertThat(bool.getSQLState()).isEqualTo("22023");
    assertThat(bool.getMessage()).contains("must be boolean");
    assertThat(fail(call("SELECT pgtrickle.drop_stream_table(?)"), true).getSQLState())
        .isEqualTo("22023");
  }

  @Test
  void unboundParameter() throws Exception {
    PgTrickleException e = fail(call("SELECT pgtrickle.create_stream_table(?, ?)"), "only one");
    assertThat(e.getSQLState()).isEqualTo("22023");
    assertThat(e.getMessage())
        .isEqualTo("no value specified for parameter $2 (query of pgtrickle.create_stream_table)");
    assertThat(fail(call("SELECT pgtrickle.drop_stream_table(?)")).getSQLState())
        .isEqualTo("22023");
  }

  @Test
  void requiredParametersMustNotBeNull() throws Exception {
    PgTrickleException literal = fail(call("SELECT pgtrickle.drop_stream_table(NULL)"));
    assertThat(literal.getSQLState()).isEqualTo("22004");
    assertThat(literal.getMessage())
        .isEqualTo("parameter \"name\" of pgtrickle.drop_stream_table must not be NULL");
    PgTrickleException bound =
        fail(call("SELECT pgtrickle.create_stream_table('a', ?)"), (Object) null);
    assertThat(bound.getSQLState()).isEqualTo("22004");
    assertThat(bound.getMessage()).contains("\"query\"");
  }

  @Test
  void gettersRejectProgrammingErrors() throws Exception {
    ResolvedArgs args = call("SELECT pgtrickle.drop_stream_table('a')").resolve();
    assertThatThrownBy(() -> args.text("schedule")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> args.isSpecified("bogus"))
        .isInstanceOf(IllegalArgumentException.class);
    ResolvedArgs create = call("SELECT pgtrickle.create_stream_table('a', 'q')").resolve();
    assertThatThrownBy(() -> create.text("initialize"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> create.bool("name")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void resultIsImmutableAndKeepsNulls() throws Exception {
    ResolvedArgs args = call("SELECT pgtrickle.alter_stream_table('a')").resolve();
    assertThat(args.values()).containsEntry("query", null).hasSize(11);
    assertThatThrownBy(() -> args.values().put("x", "y"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> args.specified().add("x"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void apiCallsCanBeBuiltDirectly() throws Exception {
    ApiCall c =
        new ApiCall(
            ApiFunction.ALTER_STREAM_TABLE,
            Map.of("tier", new ArgValue.Literal("cold"), "name", new ArgValue.Parameter(1)),
            "alter_stream_table");
    assertThat(c.arguments().keySet()).containsExactly("name", "tier");
    assertThat(c.resolve(List.of("m")).text("name")).isEqualTo("m");
    assertThatThrownBy(
            () ->
                new ApiCall(
                    ApiFunction.DROP_STREAM_TABLE,
                    Map.of("tier", new ArgValue.Literal("x")),
                    "drop_stream_table"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
