package io.pgtrickle.sql.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ApiFunctionTest {

  @Test
  void looksUpBySqlName() {
    assertThat(ApiFunction.bySqlName("create_stream_table"))
        .contains(ApiFunction.CREATE_STREAM_TABLE);
    assertThat(ApiFunction.bySqlName("create_or_replace_stream_table"))
        .contains(ApiFunction.CREATE_OR_REPLACE_STREAM_TABLE);
    assertThat(ApiFunction.bySqlName("CREATE_STREAM_TABLE")).isEmpty();
    assertThat(ApiFunction.bySqlName("health_check")).isEmpty();
    for (ApiFunction f : ApiFunction.values()) {
      assertThat(ApiFunction.bySqlName(f.sqlName())).contains(f);
      assertThat(f.qualifiedName()).isEqualTo("pgtrickle." + f.sqlName());
      assertThat(f.parameters().get(0)).isEqualTo(ApiParameter.required("name", ParamType.TEXT));
    }
  }

  @Test
  void createFunctionsShareTheirSignatureAndDefaults() {
    assertThat(ApiFunction.CREATE_STREAM_TABLE_IF_NOT_EXISTS.parameters())
        .isEqualTo(ApiFunction.CREATE_STREAM_TABLE.parameters());
    assertThat(ApiFunction.CREATE_STREAM_TABLE.parameterNames())
        .isEqualTo(
            "name, query, schedule, refresh_mode, initialize, diamond_consistency,"
                + " diamond_schedule_policy, cdc_mode, append_only, pooler_compatibility_mode");
    assertThat(ApiFunction.CREATE_STREAM_TABLE.parameter("schedule"))
        .contains(ApiParameter.optional("schedule", ParamType.TEXT, "calculated"));
    assertThat(
            ApiFunction.CREATE_STREAM_TABLE.parameter("refresh_mode").orElseThrow().defaultValue())
        .isEqualTo("AUTO");
    assertThat(ApiFunction.CREATE_STREAM_TABLE.parameter("initialize").orElseThrow().defaultValue())
        .isEqualTo(true);
    assertThat(ApiFunction.CREATE_STREAM_TABLE.parameter("append_only").orElseThrow().type())
        .isEqualTo(ParamType.BOOL);
    assertThat(ApiFunction.CREATE_STREAM_TABLE.parameter("tier")).isEmpty();
  }

  @Test
  void alterTakesEveryPropertyOptionallyPlusTier() {
    assertThat(ApiFunction.ALTER_STREAM_TABLE.parameters())
        .extracting(ApiParameter::name)
        .containsExactly(
            "name",
            "query",
            "schedule",
            "refresh_mode",
            "status",
            "diamond_consistency",
            "diamond_schedule_policy",
            "cdc_mode",
            "append_only",
            "pooler_compatibility_mode",
            "tier");
    assertThat(ApiFunction.ALTER_STREAM_TABLE.parameters())
        .filteredOn(ApiParameter::required)
        .extracting(ApiParameter::name)
        .containsExactly("name");
    assertThat(ApiFunction.ALTER_STREAM_TABLE.parameters())
        .extracting(ApiParameter::defaultValue)
        .containsOnlyNulls();
  }

  @Test
  void nameOnlyFunctions() {
    for (ApiFunction f :
        new ApiFunction[] {
          ApiFunction.DROP_STREAM_TABLE,
          ApiFunction.REFRESH_STREAM_TABLE,
          ApiFunction.RESUME_STREAM_TABLE
        }) {
      assertThat(f.parameters()).extracting(ApiParameter::name).containsExactly("name");
    }
  }

  @Test
  void parametersValidateTheirDefaults() {
    assertThatThrownBy(() -> new ApiParameter("x", ParamType.TEXT, true, "d"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ApiParameter("x", ParamType.BOOL, false, "true"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ApiParameter("x", ParamType.TEXT, false, 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void argValuesValidateThemselves() {
    assertThat(new ArgValue.Literal(null).value()).isNull();
    assertThatThrownBy(() -> new ArgValue.Literal(5)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ArgValue.Parameter(0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
