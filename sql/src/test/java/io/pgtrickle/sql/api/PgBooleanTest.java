package io.pgtrickle.sql.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PgBooleanTest {

  @ParameterizedTest
  @ValueSource(strings = {"t", "tr", "true", "TRUE", " True\n", "y", "ye", "yes", "on", "ON", "1"})
  void truthy(String input) {
    assertThat(PgBoolean.parse(input)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"f", "fa", "false", "FALSE", "\tfalse ", "n", "no", "of", "off", "0"})
  void falsy(String input) {
    assertThat(PgBoolean.parse(input)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "", " ", "o", "maybe", "truee", "yess", "onn", "offf", "10", "00", "2", "-1", "t f"
      })
  void invalid(String input) {
    assertThat(PgBoolean.parse(input)).isNull();
  }
}
