package io.pgtrickle.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@PgTest
class PostgresExtensionIT {

  private static TestDatabase fromBeforeAll;

  private final TestDatabase fromConstructor;
  private TestDatabase fromBeforeEach;

  PostgresExtensionIT(TestDatabase db) {
    this.fromConstructor = db;
  }

  @BeforeAll
  static void createSchema(TestDatabase db) throws SQLException {
    fromBeforeAll = db;
    db.execute("CREATE TABLE greeting (id int PRIMARY KEY, text text NOT NULL)");
    db.execute("INSERT INTO greeting VALUES (1, 'hello'), (2, 'world')");
  }

  @BeforeEach
  void remember(TestDatabase db) {
    fromBeforeEach = db;
  }

  @Test
  void everyParameterIsTheSameClassDatabase(TestDatabase db) {
    assertThat(db).isSameAs(fromBeforeAll).isSameAs(fromConstructor).isSameAs(fromBeforeEach);
  }

  @Test
  void connectsToTheClassDatabaseAsTheAdministrator(TestDatabase db) throws SQLException {
    try (Connection c = db.connect()) {
      assertThat(scalar(c, "SELECT current_database()")).isEqualTo(db.databaseName());
      assertThat(scalar(c, "SELECT current_user")).isEqualTo(db.user());
      assertThat(scalar(c, "SELECT string_agg(text, ' ' ORDER BY id) FROM greeting"))
          .isEqualTo("hello world");
    }
  }

  @Test
  void databaseNameIsReadableAndFits(TestDatabase db) {
    assertThat(db.databaseName()).matches("postgres_extension_it_\\d+");
    assertThat(db.databaseName().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(63);
  }

  @Test
  void urlsNameTheClassDatabaseWithoutCredentials(TestDatabase db) {
    String hostPortDb = "//" + db.host() + ":" + db.port() + "/" + db.databaseName();

    assertThat(db.jdbcUrl()).isEqualTo("jdbc:postgresql:" + hostPortDb);
    assertThat(db.pgTrickleUrl()).isEqualTo("jdbc:pgtrickle:postgresql:" + hostPortDb);
    assertThat(db.properties()).containsEntry("user", db.user());
  }

  @Test
  void reportsTheServerVersion(TestDatabase db) throws SQLException {
    try (Connection c = db.connect()) {
      assertThat(db.serverVersionNum())
          .isEqualTo(Integer.parseInt(scalar(c, "SHOW server_version_num")))
          .isGreaterThanOrEqualTo(130_000);
    }
  }

  @Test
  void createdRoleCanLogInAndIsPrefixedWithTheDatabaseName(TestDatabase db) throws SQLException {
    String role = db.createRole("reader", "s3cret'");
    db.execute("GRANT SELECT ON greeting TO " + role);

    assertThat(role).isEqualTo(db.databaseName() + "_reader");
    try (Connection c = db.connect(role, "s3cret'")) {
      assertThat(scalar(c, "SELECT current_user")).isEqualTo(role);
      assertThat(scalar(c, "SELECT count(*) FROM greeting")).isEqualTo("2");
    }
    // Asking again only resets the password.
    assertThat(db.createRole("reader", "other")).isEqualTo(role);
  }

  @Test
  void embeddedServerIsTunedForTests(TestDatabase db) throws SQLException {
    assumeTrue(SharedServer.get().embedded(), "only the embedded server is configured by us");
    try (Connection c = db.connect()) {
      assertThat(scalar(c, "SHOW fsync")).isEqualTo("off");
      assertThat(scalar(c, "SHOW synchronous_commit")).isEqualTo("off");
      assertThat(scalar(c, "SHOW full_page_writes")).isEqualTo("off");
      assertThat(scalar(c, "SHOW max_connections")).isEqualTo("200");
      assertThat(scalar(c, "SELECT datcollate FROM pg_database WHERE datname = current_database()"))
          .isEqualTo("C");
      assertThat(db.serverVersionNum()).isGreaterThanOrEqualTo(180_000);
    }
  }

  @Nested
  class WhenNested {

    @Test
    void sharesTheEnclosingClassDatabase(TestDatabase db) {
      assertThat(db).isSameAs(fromBeforeAll);
    }
  }

  static String scalar(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      assertThat(rs.next()).as("a row from %s", sql).isTrue();
      return rs.getString(1);
    }
  }
}
