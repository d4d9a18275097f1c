package io.pgtrickle.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DatabaseNamesTest {

  @Test
  void classNamesBecomeLowerSnakeCase() {
    assertThat(DatabaseNames.base("StreamTableOracleIT")).isEqualTo("stream_table_oracle_it");
    assertThat(DatabaseNames.base("HTTPServerIT")).isEqualTo("http_server_it");
    assertThat(DatabaseNames.base("Tpch22QueriesIT")).isEqualTo("tpch22_queries_it");
    assertThat(DatabaseNames.base("Ünïcode$Inner")).isEqualTo("n_code_inner");
  }

  @Test
  void namesStartWithALetterAndStayShort() {
    assertThat(DatabaseNames.base("_1")).isEqualTo("t_1");
    String longName = DatabaseNames.base("AVeryLongIntegrationTestClassNameThatGoesOnAndOnIT");
    assertThat(longName).hasSizeLessThanOrEqualTo(32).doesNotEndWith("_");
  }

  @Test
  void everyNameIsNew() {
    String first = DatabaseNames.next(DatabaseNamesTest.class);
    String second = DatabaseNames.next(DatabaseNamesTest.class);

    assertThat(first).startsWith("database_names_test_").isNotEqualTo(second);
  }

  @Test
  void roleNamesArePrefixedAndFitPostgresLimit() {
    String db = DatabaseNames.base("AVeryLongIntegrationTestClassNameThatGoesOnAndOnIT") + "_9999";

    String role = DatabaseNames.role(db, "reader_with_long_name");

    assertThat(role).isEqualTo(db + "_reader_with_long_name");
    assertThat(role.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(63);
    assertThatThrownBy(() -> DatabaseNames.role(db, "a_role_name_that_is_far_too_long"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("63 bytes");
    assertThatThrownBy(() -> DatabaseNames.role(db, "Bad-Name"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
