package io.pgtrickle.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.pgtrickle.errors.PgTrickleException;
import io.pgtrickle.testing.PgTest;
import io.pgtrickle.testing.StreamTableOracle;
import io.pgtrickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The write API runs with the caller's privileges: a role may only build stream tables over what it
 * can read, owns what it creates, and cannot change another role's stream tables, though everyone
 * may read the catalog.
 */
@PgTest
class PrivilegesIT {

  private static final String PASSWORD = "secret-pw";

  private static String alice;
  private static String bob;

  @BeforeAll
  static void setUp(TestDatabase db) throws SQLException {
    // Installs the catalog as the administrator: the roles below may not create it.
    try (Connection admin = DriverManager.getConnection(db.pgTrickleUrl(), db.properties())) {
      assertThat(admin.isValid(5)).isTrue();
    }
    db.execute("CREATE TABLE secret (id int)");
    db.execute("INSERT INTO secret VALUES (1), (2)");
    db.execute("CREATE TABLE open (id int)");
    db.execute("INSERT INTO open VALUES (10), (20), (30)");
    alice = db.createRole("alice", PASSWORD);
    bob = db.createRole("bob", PASSWORD);
    db.execute("GRANT SELECT ON open TO " + alice + ", " + bob);
    // PostgreSQL 15 and later no longer let PUBLIC create in schema public.
    db.execute("GRANT CREATE ON SCHEMA public TO " + alice + ", " + bob);
  }

  @Test
  void createOverUnreadableTableIsDenied(TestDatabase db) throws SQLException {
    try (Connection c = connectAs(db, alice)) {
      PgTrickleException e =
          apiError(
              c, "SELECT pgtrickle.create_stream_table('alice_secret', $$SELECT id FROM secret$$)");

      assertThat(e.getSQLState()).isEqualTo("42501");
      assertThat(e.getMessage()).contains("secret");
      assertWorks(c);
    }
    assertAbsent(db, "alice_secret");
  }

  @Test
  void createOverUnreadableTableIsDeniedWithoutInitialize(TestDatabase db) throws SQLException {
    try (Connection c = connectAs(db, alice)) {
      PgTrickleException e =
          apiError(
              c,
              "SELECT pgtrickle.create_stream_table('alice_secret_noinit',"
                  + " $$SELECT id FROM secret$$, initialize => false)");

      assertThat(e.getSQLState()).isEqualTo("42501");
      assertThat(e.getMessage()).contains("secret");
      assertWorks(c);
    }
    assertAbsent(db, "alice_secret_noinit");
  }

  @Test
  void createOverReadableTableIsOwnedByTheCaller(TestDatabase db) throws SQLException {
    try (Connection c = connectAs(db, alice);
        Statement s = c.createStatement()) {
      s.execute("SELECT pgtrickle.create_stream_table('alice_open', $$SELECT id FROM open$$)");
    }

    assertThat(owner(db, "alice_open")).isEqualTo(alice);
    assertThat(catalogRows(db, "alice_open")).isEqualTo(1);
    try (Connection admin = db.connect()) {
      StreamTableOracle.assertMatchesQuery(admin, "alice_open", "SELECT id FROM open");
    }
  }

  @Test
  void otherRoleCannotRefresh(TestDatabase db) throws SQLException {
    createAsAlice(db, "alice_refresh");
    db.execute("INSERT INTO open VALUES (40)");
    try {
      try (Connection c = connectAs(db, bob)) {
        PgTrickleException e =
            apiError(c, "SELECT pgtrickle.refresh_stream_table('alice_refresh')");

        assertThat(e.getSQLState()).isEqualTo("42501");
        assertThat(e.getMessage()).contains("alice_refresh");
        assertWorks(c);
      }
      // Still the contents from before the insert: the refresh did not happen.
      assertThat(count(db, "SELECT count(*) FROM alice_refresh")).isEqualTo(3);
      assertThat(count(db, "SELECT count(*) FROM alice_refresh WHERE id = 40")).isZero();
    } finally {
      db.execute("DELETE FROM open WHERE id = 40");
    }
  }

  @Test
  void otherRoleCannotAlter(TestDatabase db) throws SQLException {
    createAsAlice(db, "alice_alter");
    try (Connection c = connectAs(db, bob)) {
      PgTrickleException e =
          apiError(c, "SELECT pgtrickle.alter_stream_table('alice_alter', status => 'SUSPENDED')");

      assertThat(e.getSQLState()).isEqualTo("42501");
      assertThat(e.getMessage()).contains("alice_alter");
      assertWorks(c);
    }
    assertThat(
            text(
                db,
                "SELECT status FROM pgtrickle.pgt_stream_tables WHERE pgt_name = ?",
                "alice_alter"))
        .isEqualTo("ACTIVE");
  }

  @Test
  void otherRoleCannotDrop(TestDatabase db) throws SQLException {
    createAsAlice(db, "alice_drop");
    try (Connection c = connectAs(db, bob)) {
      PgTrickleException e = apiError(c, "SELECT pgtrickle.drop_stream_table('alice_drop')");

      assertThat(e.getSQLState()).isEqualTo("42501");
      assertThat(e.getMessage()).contains("alice_drop");
      assertWorks(c);
    }
    assertThat(catalogRows(db, "alice_drop")).isEqualTo(1);
    assertThat(owner(db, "alice_drop")).isEqualTo(alice);
  }

  @Test
  void otherRoleCanReadTheCatalog(TestDatabase db) throws SQLException {
    createAsAlice(db, "alice_visible");
    try (Connection c = connectAs(db, bob);
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT pgt_schema, original_query, status FROM pgtrickle.pgt_stream_tables"
                    + " WHERE pgt_name = ?")) {
      ps.setString(1, "alice_visible");
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("public");
        assertThat(rs.getString(2)).isEqualTo("SELECT id FROM open");
        assertThat(rs.getString(3)).isEqualTo("ACTIVE");
        assertThat(rs.next()).isFalse();
      }
    }
  }

  // Helpers

  private static Connection connectAs(TestDatabase db, String role) throws SQLException {
    Properties props = db.properties();
    props.setProperty("user", role);
    props.setProperty("password", PASSWORD);
    return DriverManager.getConnection(db.pgTrickleUrl(), props);
  }

  private static void createAsAlice(TestDatabase db, String name) throws SQLException {
    try (Connection c = connectAs(db, alice);
        Statement s = c.createStatement()) {
      s.execute("SELECT pgtrickle.create_stream_table('" + name + "', $$SELECT id FROM open$$)");
    }
    assertThat(owner(db, name)).isEqualTo(alice);
  }

  private static PgTrickleException apiError(Connection c, String sql) {
    Throwable t =
        catchThrowable(
            () -> {
              try (Statement s = c.createStatement()) {
                s.execute(sql);
              }
            });
    assertThat(t).as("error of %s", sql).isInstanceOf(PgTrickleException.class);
    return (PgTrickleException) t;
  }

  private static void assertWorks(Connection c) throws SQLException {
    assertThat(c.getAutoCommit()).isTrue();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT 1")) {
      assertThat(rs.next()).isTrue();
    }
  }

  private static void assertAbsent(TestDatabase db, String name) throws SQLException {
    assertThat(text(db, "SELECT to_regclass(?)::text", name)).as("relation %s", name).isNull();
    assertThat(catalogRows(db, name)).as("catalog rows of %s", name).isZero();
  }

  private static String owner(TestDatabase db, String table) throws SQLException {
    return text(
        db,
        "SELECT tableowner FROM pg_catalog.pg_tables WHERE schemaname = 'public' AND tablename = ?",
        table);
  }

  private static long catalogRows(TestDatabase db, String name) throws SQLException {
    return Long.parseLong(
        text(db, "SELECT count(*) FROM pgtrickle.pgt_stream_tables WHERE pgt_name = ?", name));
  }

  private static long count(TestDatabase db, String sql) throws SQLException {
    try (Connection admin = db.connect();
        Statement s = admin.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** The first column of the first row of {@code sql} run as the administrator, or null. */
  private static String text(TestDatabase db, String sql, String param) throws SQLException {
    try (Connection admin = db.connect();
        PreparedStatement ps = admin.prepareStatement(sql)) {
      ps.setString(1, param);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }
}
