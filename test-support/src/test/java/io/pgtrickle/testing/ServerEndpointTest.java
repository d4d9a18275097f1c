package io.pgtrickle.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ServerEndpointTest {

  @Test
  void parsesJdbcUrlWithCredentialsInTheQuery() {
    ServerEndpoint e =
        ServerEndpoint.parse("jdbc:postgresql://127.0.0.1:5415/postgres?user=postgres&password=x");

    assertThat(e.host()).isEqualTo("127.0.0.1");
    assertThat(e.port()).isEqualTo(5415);
    assertThat(e.adminDatabase()).isEqualTo("postgres");
    assertThat(e.user()).isEqualTo("postgres");
    assertThat(e.password()).isEqualTo("x");
    assertThat(e.options()).isEmpty();
  }

  @Test
  void keepsOtherJdbcOptionsForEveryConnection() {
    ServerEndpoint e =
        ServerEndpoint.parse("jdbc:postgresql://db.example:6000/admin?user=u&sslmode=disable");

    assertThat(e.options()).containsEntry("sslmode", "disable");
    assertThat(e.properties()).containsEntry("sslmode", "disable").containsEntry("user", "u");
    assertThat(e.properties()).doesNotContainKey("password");
    assertThat(e.jdbcUrl("t_1")).isEqualTo("jdbc:postgresql://db.example:6000/t_1");
  }

  @Test
  void parsesLibpqUriWithEncodedPassword() {
    ServerEndpoint e =
        ServerEndpoint.parse("postgresql://alice:p%40ss+w%3Ard@localhost:5433/tests");

    assertThat(e.host()).isEqualTo("localhost");
    assertThat(e.port()).isEqualTo(5433);
    assertThat(e.adminDatabase()).isEqualTo("tests");
    assertThat(e.user()).isEqualTo("alice");
    assertThat(e.password()).isEqualTo("p@ss+w:rd");
  }

  @Test
  void libpqUriDefaultsPortUserAndDatabase() {
    ServerEndpoint e = ServerEndpoint.parse("postgres://db.example");

    assertThat(e.port()).isEqualTo(5432);
    assertThat(e.user()).isEqualTo("postgres");
    assertThat(e.adminDatabase()).isEqualTo("postgres");
    assertThat(e.password()).isNull();
  }

  @Test
  void rejectsOtherSchemesWithoutEchoingThePassword() {
    assertThatThrownBy(() -> ServerEndpoint.parse("mysql://root:secret@host/db"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("jdbc:postgresql://")
        .hasMessageNotContaining("secret");
  }

  @Test
  void describeNeverShowsThePassword() {
    ServerEndpoint e =
        ServerEndpoint.parse("jdbc:postgresql://h:1/postgres?user=u&password=hunter2");

    assertThat(e.describe()).isEqualTo("u@h:1/postgres");
    assertThat(e.toString()).doesNotContain("hunter2");
  }
}
