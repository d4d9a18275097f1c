package io.pgtrickle.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.pgtrickle.errors.PgTrickleException;
import io.pgtrickle.testing.PgTest;
import io.pgtrickle.testing.Sql;
import io.pgtrickle.testing.StreamTableOracle;
import io.pgtrickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * Every kind of bad input to the write API fails with PostgreSQL's SQLSTATE for it, a message that
 * names the object and the cause, and no trace: the database looks exactly as before the call (no
 * storage table, no catalog row, no dependency or history row, nothing dropped), and the
 * connection, in autocommit mode, goes on working.
 */
@PgTest
class BadInputIT {

  private Connection c;

  @BeforeAll
  static void installCatalog(TestDatabase db) throws SQLException {
    // The driver installs the catalog on first connect; the plain-connection checks need it.
    try (Connection first = DriverManager.getConnection(db.pgTrickleUrl(), db.properties())) {
      assertThat(first.isValid(5)).isTrue();
    }
  }

  @BeforeEach
  void connect(TestDatabase db) throws SQLException {
    c = DriverManager.getConnection(db.pgTrickleUrl(), db.properties());
  }

  @AfterEach
  void close() throws SQLException {
    c.close();
  }

  // Unknown or wrong objects

  @ParameterizedTest
  @ValueSource(
      strings = {
        "SELECT pgtrickle.refresh_stream_table('no_such_st')",
        "SELECT pgtrickle.alter_stream_table('no_such_st', schedule => '1m')",
        "SELECT pgtrickle.drop_stream_table('no_such_st')",
        "SELECT pgtrickle.resume_stream_table('no_such_st')"
      })
  void unknownStreamTableIsUndefinedTable(String sql, TestDatabase db) throws SQLException {
    PgTrickleException e = failsWithoutTrace(db, sql, "42P01");
    assertThat(e.getMessage()).contains("no_such_st").contains("does not exist");
  }

  @Test
  void unknownSchemaInRefreshIsUndefinedTable(TestDatabase db) throws SQLException {
    PgTrickleException e =
        failsWithoutTrace(
            db, "SELECT pgtrickle.refresh_stream_table('no_such_schema.some_st')", "42P01");

    assertThat(e.getMessage()).contains("no_such_schema.some_st");
  }

  @Test
  void createInUnknownSchemaIsInvalidSchemaName(TestDatabase db) throws SQLException {
    PgTrickleException e =
        failsWithoutTrace(
            db,
            "SELECT pgtrickle.create_stream_table('no_such_schema.new_st', $$SELECT 1 AS one$$)",
            "3F000");

    assertThat(e.getMessage()).contains("no_such_schema");
  }

  @Test
  void refreshOfRegularTableIsWrongObjectType(TestDatabase db) throws SQLException {
    db.execute("CREATE TABLE plain_refresh (id int)");
    db.execute("INSERT INTO plain_refresh VALUES (1), (2)");

    PgTrickleException e =
        failsWithoutTrace(db, "SELECT pgtrickle.refresh_stream_table('plain_refresh')", "42809");

    assertThat(e.getMessage()).contains("plain_refresh").contains("not a stream table");
    assertThat(adminCount(db, "SELECT count(*) FROM plain_refresh")).isEqualTo(2);
  }

  @Test
  void createOfExistingStreamTableIsDuplicateTable(TestDatabase db) throws SQLException {
    db.execute("CREATE TABLE dup_src (id int)");
    db.execute("INSERT INTO dup_src VALUES (1), (2)");
    call("SELECT pgtrickle.create_stream_table('dup_st', $$SELECT id FROM dup_src$$)");

    PgTrickleException e =
        failsWithoutTrace(
            db,
            "SELECT pgtrickle.create_stream_table('dup_st', $$SELECT id * 10 AS x FROM dup_src$$)",
            "42P07");

    assertThat(e.getMessage()).contains("dup_st").contains("already exists");
    try (Connection admin = db.connect()) {
      assertThat(definingQuery(admin, "dup_st")).isEqualTo("SELECT id FROM dup_src");
      StreamTableOracle.assertMatchesQuery(admin, "dup_st", "SELECT id FROM dup_src");
    }
  }

  @Test
  void createOverRegularTableIsDuplicateTable(TestDatabase db) throws SQLException {
    db.execute("CREATE TABLE taken (id int, note text)");
    db.execute("INSERT INTO taken VALUES (1, 'kept'), (2, 'kept')");

    PgTrickleException e =
        failsWithoutTrace(
            db, "SELECT pgtrickle.create_stream_table('taken', $$SELECT 1 AS one$$)", "42P07");

    assertThat(e.getMessage()).contains("taken").contains("already exists");
    assertThat(adminCount(db, "SELECT count(*) FROM taken WHERE note = 'kept'")).isEqualTo(2);
    assertThat(adminCount(db, "SELECT count(*) FROM taken")).isEqualTo(2);
  }

  // Bad defining queries

  @ParameterizedTest
  @ValueSource(
      strings = {
        "DELETE FROM nonselect_t",
        "INSERT INTO nonselect_t VALUES (99)",
        "CREATE TABLE nonselect_new (id int)"
      })
  void nonSelectQueryIsInvalidParameterValue(String query, TestDatabase db) throws SQLException {
    db.execute("CREATE TABLE IF NOT EXISTS nonselect_t (id int)");
    db.execute("TRUNCATE nonselect_t");
    db.execute("INSERT INTO nonselect_t VALUES (1), (2), (3)");

    PgTrickleException e =
        failsWithoutTrace(
            db, "SELECT pgtrickle.create_stream_table('nonselect_st', $$" + query + "$$)", "22023");

    assertThat(e.getMessage()).contains("nonselect_st").contains("SELECT");
    assertThat(adminCount(db, "SELECT count(*) FROM nonselect_t")).isEqualTo(3);
    assertThat(adminCount(db, "SELECT count(*) FROM nonselect_t WHERE id = 99")).isZero();
  }

  @Test
  void syntaxErrorPointsIntoTheQuery(TestDatabase db) throws SQLException {
    db.execute("CREATE TABLE syntax_src (id int)");
    String query = "SELECT * FORM syntax_src";

    PgTrickleException e =
        failsWithoutTrace(
            db, "SELECT pgtrickle.create_stream_table('syntax_st', $$" + query + "$$)", "42601");

    assertThat(e.getMessage()).contains("syntax_st").contains("FORM");
    assertThat(e.internalQuery()).isEqualTo(query);
    assertThat(e.internalPosition()).isEqualTo(query.indexOf("FORM") + 1);
  }

  /**
   * A misspelled leading keyword is PostgreSQL's syntax error at that word, not a complaint that
   * the query is not a SELECT: only real commands may be rejected before PostgreSQL parses the
   * query.
   */
  @Test
  void misspelledSelectIsSyntaxError(TestDatabase db) throws SQLException {
    String query = "SELEC 1";

    PgTrickleException e =
        failsWithoutTrace(
            db, "SELECT pgtrickle.create_stream_table('selec_st', $$" + query + "$$)", "42601");

    assertThat(e.getMessage()).contains("selec_st").contains("SELEC");
    assertThat(e.internalQuery()).isEqualTo(query);
    assertThat(e.internalPosition()).isEqualTo(1);
  }

  @Test
  void multipleStatementsInQueryAreRejected(TestDatabase db) throws SQLException {
    db.execute("CREATE TABLE multi_t (id int)");
    db.execute("INSERT INTO multi_t VALUES (1)");

    Throwable t =
        failure(
            db,
            "SELECT pgtrickle.create_stream_table('multi_st', $$SELECT 1; DROP TABLE multi_t$$)");

    assertThat(t).isInstanceOf(PgTrickleException.class);
    assertThat(t.getMessage()).contains("multi_st");
    assertThat(adminCount(db, "SELECT count(*) FROM multi_t")).isEqualTo(1);
  }

  @Test
  void missingSourceTableIsUndefinedTable(TestDatabase db) throws SQLException {
    PgTrickleException e =
        failsWithoutTrace(
            db,
            "SELECT pgtrickle.create_stream_table('orphan_st', $$SELECT id FROM no_such_source$$)",
            "42P01");

    assertThat(e.getMessage()).contains("no_such_source");
  }

  // Bad option values

  @Test
  void invalidRefreshModeIsInvalidParameterValue(TestDatabase db) throws SQLException {
    PgTrickleException e =
        failsWithoutTrace(
            db,
            "SELECT pgtrickle.create_stream_table('mode_st', $$SELECT 1 AS one$$,"
                + " refresh_mode => 'SOMETIMES')",
            "22023");

    assertThat(e.getMessage()).contains("refresh_mode").contains("SOMETIMES");
  }

  @ParameterizedTest
  @ValueSource(strings = {"5x", "0s", "* * *", "@never"})
  void invalidScheduleIsInvalidParameterValue(String schedule, TestDatabase db)
      throws SQLException {
    PgTrickleException e =
        failsWithoutTrace(
            db,
            "SELECT pgtrickle.create_stream_table('sched_st', $$SELECT 1 AS one$$, schedule => '"
                + schedule
                + "')",
            "22023");

    assertThat(e.getMessage()).contains("schedule").contains(schedule);
  }

  @Test
  void invalidTierInAlterIsInvalidParameterValue(TestDatabase db) throws SQLException {
    call("SELECT pgtrickle.create_stream_table('tier_st', $$SELECT 1 AS one$$)");

    PgTrickleException e =
        failsWithoutTrace(
            db, "SELECT pgtrickle.alter_stream_table('tier_st', tier => 'lukewarm')", "22023");

    assertThat(e.getMessage()).contains("tier").contains("lukewarm");
    assertThat(catalogValue(db, "tier_st", "refresh_tier")).isEqualTo("hot");
  }

  @Test
  void invalidStatusInAlterIsInvalidParameterValue(TestDatabase db) throws SQLException {
    call("SELECT pgtrickle.create_stream_table('status_st', $$SELECT 1 AS one$$)");

    PgTrickleException e =
        failsWithoutTrace(
            db, "SELECT pgtrickle.alter_stream_table('status_st', status => 'PAUSED')", "22023");

    assertThat(e.getMessage()).contains("status").contains("PAUSED");
    assertThat(catalogValue(db, "status_st", "status")).isEqualTo("ACTIVE");
  }

  /** IMMEDIATE is not built yet; DIFFERENTIAL refuses a query it cannot maintain. */
  @ParameterizedTest
  @ValueSource(strings = {"DIFFERENTIAL", "IMMEDIATE"})
  void incrementalRefreshModesAreNotSupported(String mode, TestDatabase db) throws SQLException {
    PgTrickleException e =
        failsWithoutTrace(
            db,
            "SELECT pgtrickle.create_stream_table('incr_st', $$SELECT 1 AS one$$, refresh_mode => '"
                + mode
                + "')",
            "0A000");

    assertThat(e.getMessage()).contains(mode).contains("incr_st");
  }

  // Injection attempts

  @ParameterizedTest
  @ValueSource(strings = {"x; DROP TABLE victim", "victim; --", "a.b.c", ""})
  void injectionThroughNameIsInvalidName(String name, TestDatabase db) throws SQLException {
    createVictim(db);

    PgTrickleException e =
        failsWithoutTrace(
            db,
            "SELECT pgtrickle.create_stream_table('"
                + name.replace("'", "''")
                + "', $$SELECT 1 AS one$$)",
            "42602");

    assertThat(e.getMessage()).contains("\"" + name + "\"");
    assertVictimIntact(db);
  }

  @Test
  void injectionThroughQueryIsRejected(TestDatabase db) throws SQLException {
    createVictim(db);

    Throwable t =
        failure(
            db,
            "SELECT pgtrickle.create_stream_table('inject_q_st', 'SELECT 1; DROP TABLE victim')");

    assertThat(t).isInstanceOf(PgTrickleException.class);
    assertVictimIntact(db);
  }

  // Calls that do not match a signature or cannot be intercepted

  @ParameterizedTest
  @ValueSource(strings = {"bogus => 1", "bogus => 'x'"})
  void unknownNamedParameterIsUndefinedFunction(String arg, TestDatabase db) throws SQLException {
    PgTrickleException e =
        failsWithoutTrace(
            db,
            "SELECT pgtrickle.create_stream_table('bogus_st', $$SELECT 1 AS one$$, " + arg + ")",
            "42883");

    assertThat(e.getMessage()).contains("bogus");
    assertThat(e.hint()).contains("name", "query", "schedule", "refresh_mode", "initialize");
  }

  @Test
  void missingRequiredArgumentIsUndefinedFunction(TestDatabase db) throws SQLException {
    PgTrickleException e =
        failsWithoutTrace(db, "SELECT pgtrickle.create_stream_table('x')", "42883");

    assertThat(e.getMessage()).contains("create_stream_table");
    assertThat(e.hint()).contains("query");
  }

  @Test
  void callInsideAnotherQueryIsNotSupported(TestDatabase db) throws SQLException {
    call("SELECT pgtrickle.create_stream_table('shape_st', $$SELECT 1 AS one$$)");

    PgTrickleException e =
        failsWithoutTrace(
            db,
            "SELECT pgtrickle.refresh_stream_table(pgt_name) FROM pgtrickle.pgt_stream_tables",
            "0A000");

    assertThat(e.getMessage()).contains("refresh_stream_table");
    assertThat(e.hint()).contains("statement of its own");
  }

  @Test
  void plainPgjdbcConnectionIsToldToUseTheDriver(TestDatabase db) throws SQLException {
    try (Connection plain = db.connect();
        Statement s = plain.createStatement()) {
      Snapshot before = snapshot(db);

      Throwable t =
          catchThrowable(
              () ->
                  s.execute(
                      "SELECT pgtrickle.create_stream_table('bypass_st', $$SELECT 1 AS one$$)"));

      assertThat(t).isInstanceOf(PSQLException.class);
      ServerErrorMessage e = ((PSQLException) t).getServerErrorMessage();
      assertThat(e.getSQLState()).isEqualTo("0A000");
      assertThat(e.getMessage()).contains("create_stream_table").contains("proxy or JDBC driver");
      assertThat(e.getHint()).contains("jdbc:pgtrickle:postgresql://");
      assertThat(snapshot(db)).isEqualTo(before);
    }
  }

  // Lifecycle states

  @Test
  void refreshOfSuspendedStreamTableIsRefusedUntilResumed(TestDatabase db) throws SQLException {
    db.execute("CREATE TABLE susp_src (id int)");
    db.execute("INSERT INTO susp_src VALUES (1)");
    call("SELECT pgtrickle.create_stream_table('susp_st', $$SELECT id FROM susp_src$$)");
    call("SELECT pgtrickle.alter_stream_table('susp_st', status => 'SUSPENDED')");
    db.execute("INSERT INTO susp_src VALUES (2)");

    PgTrickleException e =
        failsWithoutTrace(db, "SELECT pgtrickle.refresh_stream_table('susp_st')", "55000");
    assertThat(e.getMessage()).contains("susp_st").contains("suspended");
    assertThat(adminCount(db, "SELECT count(*) FROM susp_st")).isEqualTo(1);

    call("SELECT pgtrickle.resume_stream_table('susp_st')");
    call("SELECT pgtrickle.refresh_stream_table('susp_st')");

    assertThat(catalogValue(db, "susp_st", "status")).isEqualTo("ACTIVE");
    try (Connection admin = db.connect()) {
      StreamTableOracle.assertMatchesQuery(admin, "susp_st", "SELECT id FROM susp_src");
    }
  }

  @Test
  void resumeOfActiveStreamTableIsRefused(TestDatabase db) throws SQLException {
    call("SELECT pgtrickle.create_stream_table('active_st', $$SELECT 1 AS one$$)");

    PgTrickleException e =
        failsWithoutTrace(db, "SELECT pgtrickle.resume_stream_table('active_st')", "55000");

    assertThat(e.getMessage()).contains("active_st").contains("not suspended");
    assertThat(catalogValue(db, "active_st", "status")).isEqualTo("ACTIVE");
  }

  @Test
  void dropOfStreamTableReadByAnotherIsRefused(TestDatabase db) throws SQLException {
    db.execute("CREATE TABLE chain_src (id int)");
    db.execute("INSERT INTO chain_src VALUES (1), (2)");
    call("SELECT pgtrickle.create_stream_table('chain_up', $$SELECT id FROM chain_src$$)");
    call("SELECT pgtrickle.create_stream_table('chain_down', $$SELECT id FROM chain_up$$)");

    PgTrickleException e =
        failsWithoutTrace(db, "SELECT pgtrickle.drop_stream_table('chain_up')", "2BP01");

    assertThat(e.getMessage()).contains("chain_up");
    assertThat(e.detail()).contains("chain_down");
    try (Connection admin = db.connect()) {
      StreamTableOracle.assertMatchesQuery(admin, "chain_up", "SELECT id FROM chain_src");
      StreamTableOracle.assertMatchesQuery(admin, "chain_down", "SELECT id FROM chain_up");
    }
  }

  // Helpers

  /**
   * Runs {@code sql} through the driver and checks that it fails with {@code state}, that the
   * database is unchanged, and that the connection still works in autocommit mode.
   */
  private PgTrickleException failsWithoutTrace(TestDatabase db, String sql, String state)
      throws SQLException {
    Throwable t = failure(db, sql);
    assertThat(t).as("error of %s", sql).isInstanceOf(PgTrickleException.class);
    PgTrickleException e = (PgTrickleException) t;
    assertThat(e.getSQLState()).as("SQLSTATE of %s (%s)", sql, e.getMessage()).isEqualTo(state);
    return e;
  }

  /** The error {@code sql} fails with, after checking it left no trace. */
  private Throwable failure(TestDatabase db, String sql) throws SQLException {
    Snapshot before = snapshot(db);
    Throwable t = catchThrowable(() -> call(sql));
    assertThat(t).as("%s should fail", sql).isNotNull();
    assertThat(snapshot(db)).as("database after %s", sql).isEqualTo(before);
    assertUsable();
    return t;
  }

  private void assertUsable() throws SQLException {
    assertThat(c.getAutoCommit()).isTrue();
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT 1, (SELECT count(*) FROM pg_catalog.pg_class"
                    + " WHERE relnamespace = pg_catalog.pg_my_temp_schema())")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getInt(1)).isEqualTo(1);
      assertThat(rs.getLong(2)).as("temporary relations left in the session").isZero();
    }
  }

  private void call(String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  /** Relations in public and the sizes of the catalog tables. */
  private record Snapshot(
      List<String> relations, long streamTables, long dependencies, long history) {}

  private static Snapshot snapshot(TestDatabase db) throws SQLException {
    try (Connection admin = db.connect();
        Statement s = admin.createStatement()) {
      List<String> relations =
          Sql.column(
              admin,
              "SELECT relname FROM pg_catalog.pg_class"
                  + " WHERE relnamespace = 'public'::regnamespace ORDER BY relname");
      return new Snapshot(
          relations,
          count(s, "SELECT count(*) FROM pgtrickle.pgt_stream_tables"),
          count(s, "SELECT count(*) FROM pgtrickle.pgt_dependencies"),
          count(s, "SELECT count(*) FROM pgtrickle.pgt_refresh_history"));
    }
  }

  private static long count(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static long adminCount(TestDatabase db, String sql) throws SQLException {
    try (Connection admin = db.connect();
        Statement s = admin.createStatement()) {
      return count(s, sql);
    }
  }

  private static String catalogValue(TestDatabase db, String name, String column)
      throws SQLException {
    try (Connection admin = db.connect();
        Statement s = admin.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT "
                    + column
                    + " FROM pgtrickle.pgt_stream_tables WHERE pgt_name = '"
                    + name
                    + "'")) {
      assertThat(rs.next()).as("catalog row of %s", name).isTrue();
      return rs.getString(1);
    }
  }

  private static String definingQuery(Connection admin, String name) throws SQLException {
    try (Statement s = admin.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT original_query FROM pgtrickle.pgt_stream_tables WHERE pgt_name = '"
                    + name
                    + "'")) {
      assertThat(rs.next()).isTrue();
      return rs.getString(1);
    }
  }

  private static void createVictim(TestDatabase db) throws SQLException {
    db.execute("CREATE TABLE IF NOT EXISTS victim (id int)");
    db.execute("TRUNCATE victim");
    db.execute("INSERT INTO victim VALUES (1), (2), (3)");
  }

  private static void assertVictimIntact(TestDatabase db) throws SQLException {
    assertThat(adminCount(db, "SELECT count(*) FROM victim")).isEqualTo(3);
  }
}
