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
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * API calls behave like PostgreSQL function calls with respect to transactions: inside a block they
 * join it (commit, rollback and savepoints apply to them), an error aborts the block, and outside a
 * block each call is atomic. Also covers the JDBC shapes of a call: prepared statements with {@code
 * ?} parameters and the simple query protocol.
 */
@PgTest
class TransactionsIT {

  private Connection c;

  @BeforeAll
  static void setUp(TestDatabase db) throws SQLException {
    try (Connection first = DriverManager.getConnection(db.pgTrickleUrl(), db.properties())) {
      assertThat(first.isValid(5)).isTrue();
    }
    db.execute("CREATE TABLE src (id int, label text)");
    db.execute("INSERT INTO src VALUES (1, 'a'), (2, 'b'), (2, 'b')");
    db.execute("CREATE TABLE scratch (note text)");
  }

  @BeforeEach
  void connect(TestDatabase db) throws SQLException {
    c = DriverManager.getConnection(db.pgTrickleUrl(), db.properties());
  }

  @AfterEach
  void close() throws SQLException {
    c.close();
  }

  // Commit and rollback

  @Test
  void rolledBackCreateLeavesNothing(TestDatabase db) throws SQLException {
    long historyBefore = historyRows(db);
    c.setAutoCommit(false);
    exec(c, "SELECT pgtrickle.create_stream_table('tx_rolled_back', $$SELECT id FROM src$$)");
    // Visible inside the transaction, so the rollback below really has something to undo.
    assertThat(count(c, "SELECT count(*) FROM tx_rolled_back")).isEqualTo(3);

    c.rollback();

    assertNoStreamTable(db, "tx_rolled_back");
    assertThat(historyRows(db)).isEqualTo(historyBefore);
  }

  @Test
  void committedCreateIsPresentAndPopulated(TestDatabase db) throws SQLException {
    c.setAutoCommit(false);
    exec(c, "SELECT pgtrickle.create_stream_table('tx_committed', $$SELECT id, label FROM src$$)");
    // Not visible to others before the commit.
    assertThat(relationExists(db, "tx_committed")).isFalse();

    c.commit();

    try (Connection admin = db.connect()) {
      assertThat(count(admin, "SELECT count(*) FROM tx_committed")).isEqualTo(3);
      StreamTableOracle.assertMatchesQuery(admin, "tx_committed", "SELECT id, label FROM src");
      assertThat(
              count(
                  admin,
                  "SELECT count(*) FROM pgtrickle.pgt_stream_tables"
                      + " WHERE pgt_name = 'tx_committed' AND is_populated AND status = 'ACTIVE'"))
          .isEqualTo(1);
      assertThat(
              count(
                  admin,
                  "SELECT count(*) FROM pgtrickle.pgt_refresh_history h"
                      + " JOIN pgtrickle.pgt_stream_tables s USING (pgt_id)"
                      + " WHERE s.pgt_name = 'tx_committed' AND h.status = 'COMPLETED'"
                      + " AND h.initiated_by = 'INITIAL'"))
          .isEqualTo(1);
    }
  }

  // Errors inside a transaction block

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        // found by the engine before anything is sent
        "unknown stream table | 42P01 | SELECT pgtrickle.refresh_stream_table('tx_no_such_st')",
        "invalid refresh_mode | 22023 | SELECT pgtrickle.create_stream_table('tx_bad_mode',"
            + " $$SELECT 1 AS one$$, refresh_mode => 'SOMETIMES')",
        "invalid name | 42602 | SELECT pgtrickle.create_stream_table('tx bad; name',"
            + " $$SELECT 1 AS one$$)",
        // raised by the server
        "missing source table | 42P01 | SELECT pgtrickle.create_stream_table('tx_orphan',"
            + " $$SELECT id FROM tx_no_such_source$$)",
        "error while populating | 22012 | SELECT pgtrickle.create_stream_table('tx_div0',"
            + " $$SELECT 1 / (id - id) AS boom FROM src$$)"
      })
  void apiErrorAbortsTheTransaction(String what, String state, String sql, TestDatabase db)
      throws SQLException {
    Snapshot before = snapshot(db);
    c.setAutoCommit(false);
    exec(c, "INSERT INTO scratch VALUES ('before " + what + "')");

    PgTrickleException e = apiError(c, sql);
    assertThat(e.getSQLState()).as(e.getMessage()).isEqualTo(state);

    assertInFailedTransaction(c);
    c.rollback();
    assertWorks(c);
    assertThat(count(c, "SELECT count(*) FROM scratch WHERE note = 'before " + what + "'"))
        .isZero();
    assertThat(snapshot(db)).isEqualTo(before);
  }

  /**
   * Errors found while recognising the call (no matching signature, a shape we cannot intercept)
   * abort the block too: PostgreSQL raises "function ... does not exist" for them, and a COMMIT
   * after such an error must not commit the work done before it.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "SELECT pgtrickle.create_stream_table('tx_bogus', $$SELECT 1 AS one$$, bogus => 1)",
        "SELECT pgtrickle.create_stream_table('tx_missing_query')",
        "SELECT pgtrickle.refresh_stream_table(pgt_name) FROM pgtrickle.pgt_stream_tables"
      })
  void recognizerErrorAbortsTheTransaction(String sql) throws SQLException {
    c.setAutoCommit(false);

    PgTrickleException e = apiError(c, sql);
    assertThat(e.getSQLState()).isIn("42883", "0A000");

    assertInFailedTransaction(c);
    c.rollback();
    assertWorks(c);
  }

  @Test
  void failedCreateInAutocommitLeavesNothing(TestDatabase db) throws SQLException {
    // Fails after the storage table and the catalog row were made: populating divides by zero.
    Snapshot before = snapshot(db);

    PgTrickleException e =
        apiError(
            c,
            "SELECT pgtrickle.create_stream_table('auto_div0',"
                + " $$SELECT 1 / (id - id) AS boom FROM src$$)");

    assertThat(e.getSQLState()).isEqualTo("22012");
    assertThat(c.getAutoCommit()).isTrue();
    assertWorks(c);
    assertNoStreamTable(db, "auto_div0");
    assertThat(snapshot(db)).isEqualTo(before);
  }

  // Isolation of a refresh

  @Test
  void refreshIsInvisibleToOthersUntilCommit(TestDatabase db) throws SQLException {
    db.execute("CREATE TABLE iso_src (id int)");
    db.execute("INSERT INTO iso_src VALUES (1), (2)");
    exec(
        c,
        "SELECT pgtrickle.create_stream_table('iso_st', $$SELECT id FROM iso_src$$,"
            + " refresh_mode => 'FULL')");
    db.execute("DELETE FROM iso_src WHERE id = 1");
    db.execute("INSERT INTO iso_src VALUES (3), (4)");

    try (Connection reader = db.connect()) {
      exec(reader, "SET lock_timeout = '5s'");
      c.setAutoCommit(false);
      exec(c, "SELECT pgtrickle.refresh_stream_table('iso_st')");
      assertThat(ids(c, "iso_st")).containsExactly(2, 3, 4);

      // A block would surface as a lock timeout error here, not as a hang.
      assertThat(ids(reader, "iso_st")).containsExactly(1, 2);

      c.commit();
      assertThat(ids(reader, "iso_st")).containsExactly(2, 3, 4);
      StreamTableOracle.assertMatchesQuery(reader, "iso_st", "SELECT id FROM iso_src");
    }
  }

  // Savepoints

  @ParameterizedTest
  @ValueSource(
      strings = {
        "SELECT pgtrickle.refresh_stream_table('sp_no_such_st')",
        "SELECT pgtrickle.create_stream_table('sp_orphan', $$SELECT id FROM sp_no_such_source$$)"
      })
  void failedCallInSavepointLeavesOuterTransactionUsable(String sql, TestDatabase db)
      throws SQLException {
    String note = "kept " + sql.hashCode();
    c.setAutoCommit(false);
    exec(c, "INSERT INTO scratch VALUES ('" + note + "')");
    exec(c, "SAVEPOINT s");

    apiError(c, sql);
    exec(c, "ROLLBACK TO SAVEPOINT s");

    assertWorks(c);
    c.commit();
    try (Connection admin = db.connect()) {
      assertThat(count(admin, "SELECT count(*) FROM scratch WHERE note = '" + note + "'"))
          .isEqualTo(1);
    }
  }

  @Test
  void createRolledBackToSavepointLeavesNothing(TestDatabase db) throws SQLException {
    Snapshot before = snapshot(db);
    c.setAutoCommit(false);
    exec(c, "SAVEPOINT s");
    exec(c, "SELECT pgtrickle.create_stream_table('sp_created', $$SELECT id FROM src$$)");
    assertThat(count(c, "SELECT count(*) FROM sp_created")).isEqualTo(3);

    exec(c, "ROLLBACK TO SAVEPOINT s");
    c.commit();

    assertNoStreamTable(db, "sp_created");
    assertThat(snapshot(db)).isEqualTo(before);
  }

  // JDBC shapes of a call

  @Test
  void preparedStatementWithParameters(TestDatabase db) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT pgtrickle.create_stream_table(?, ?, refresh_mode => ?)")) {
      ps.setString(1, "ps_created");
      ps.setString(2, "SELECT id, label FROM src WHERE id > 1");
      ps.setString(3, "FULL");
      try (ResultSet rs = ps.executeQuery()) {
        ResultSetMetaData md = rs.getMetaData();
        assertThat(md.getColumnCount()).isEqualTo(1);
        assertThat(md.getColumnName(1)).isEqualTo("create_stream_table");
        assertThat(rs.next()).isTrue();
        assertThat(rs.next()).isFalse();
      }
    }

    try (Connection admin = db.connect()) {
      StreamTableOracle.assertMatchesQuery(
          admin, "ps_created", "SELECT id, label FROM src WHERE id > 1");
      assertThat(
              count(
                  admin,
                  "SELECT count(*) FROM pgtrickle.pgt_stream_tables"
                      + " WHERE pgt_name = 'ps_created' AND refresh_mode = 'FULL'"))
          .isEqualTo(1);
    }
  }

  @Test
  void simpleQueryModeStatement(TestDatabase db) throws SQLException {
    try (Connection simple = connectSimple(db)) {
      exec(simple, "SELECT pgtrickle.create_stream_table('simple_st', $$SELECT id FROM src$$)");
      db.execute("INSERT INTO src VALUES (7, 'g')");
      try {
        exec(simple, "SELECT pgtrickle.refresh_stream_table('simple_st')");
        StreamTableOracle.assertMatchesQuery(simple, "simple_st", "SELECT id FROM src");
        assertThat(count(simple, "SELECT count(*) FROM simple_st WHERE id = 7")).isEqualTo(1);
      } finally {
        db.execute("DELETE FROM src WHERE id = 7");
      }
    }
  }

  @Test
  void simpleQueryModePreparedStatement(TestDatabase db) throws SQLException {
    try (Connection simple = connectSimple(db)) {
      try (PreparedStatement ps =
          simple.prepareStatement(
              "SELECT pgtrickle.create_stream_table(?, ?, refresh_mode => ?)")) {
        ps.setString(1, "simple_ps_st");
        ps.setString(2, "SELECT label FROM src WHERE label <> 'it''s'");
        ps.setString(3, "AUTO");
        try (ResultSet rs = ps.executeQuery()) {
          assertThat(rs.getMetaData().getColumnName(1)).isEqualTo("create_stream_table");
          assertThat(rs.next()).isTrue();
        }
      }
      try (PreparedStatement ps =
          simple.prepareStatement("SELECT pgtrickle.refresh_stream_table(?)")) {
        ps.setString(1, "simple_ps_st");
        ps.execute();
      }
      StreamTableOracle.assertMatchesQuery(
          simple, "simple_ps_st", "SELECT label FROM src WHERE label <> 'it''s'");
    }
  }

  // Helpers

  private static Connection connectSimple(TestDatabase db) throws SQLException {
    String url = db.pgTrickleUrl();
    url += (url.contains("?") ? "&" : "?") + "preferQueryMode=simple";
    return DriverManager.getConnection(url, db.properties());
  }

  private static void exec(Connection conn, String sql) throws SQLException {
    try (Statement s = conn.createStatement()) {
      s.execute(sql);
    }
  }

  private static PgTrickleException apiError(Connection conn, String sql) {
    Throwable t = catchThrowable(() -> exec(conn, sql));
    assertThat(t).as("error of %s", sql).isInstanceOf(PgTrickleException.class);
    return (PgTrickleException) t;
  }

  private static void assertInFailedTransaction(Connection conn) {
    Throwable next = catchThrowable(() -> exec(conn, "SELECT 1"));
    assertThat(next).as("statement after the failed call").isInstanceOf(SQLException.class);
    assertThat(((SQLException) next).getSQLState()).isEqualTo("25P02");
  }

  private static void assertWorks(Connection conn) throws SQLException {
    assertThat(count(conn, "SELECT 1")).isEqualTo(1);
  }

  private static long count(Connection conn, String sql) throws SQLException {
    try (Statement s = conn.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      assertThat(rs.next()).isTrue();
      return rs.getLong(1);
    }
  }

  private static List<Integer> ids(Connection conn, String table) throws SQLException {
    List<Integer> ids = new ArrayList<>();
    try (Statement s = conn.createStatement();
        ResultSet rs = s.executeQuery("SELECT id FROM " + table + " ORDER BY id")) {
      while (rs.next()) {
        ids.add(rs.getInt(1));
      }
    }
    return ids;
  }

  private static boolean relationExists(TestDatabase db, String name) throws SQLException {
    try (Connection admin = db.connect()) {
      return count(admin, "SELECT count(*) FROM pg_catalog.pg_class WHERE relname = '" + name + "'")
          > 0;
    }
  }

  private static long historyRows(TestDatabase db) throws SQLException {
    try (Connection admin = db.connect()) {
      return count(admin, "SELECT count(*) FROM pgtrickle.pgt_refresh_history");
    }
  }

  private static void assertNoStreamTable(TestDatabase db, String name) throws SQLException {
    assertThat(relationExists(db, name)).as("relation %s", name).isFalse();
    try (Connection admin = db.connect()) {
      assertThat(
              count(
                  admin,
                  "SELECT count(*) FROM pgtrickle.pgt_stream_tables WHERE pgt_name = '"
                      + name
                      + "'"))
          .as("catalog rows of %s", name)
          .isZero();
    }
  }

  /** Relations in public and the sizes of the catalog tables, to compare before and after. */
  private record Snapshot(
      List<String> relations, long streamTables, long dependencies, long history) {}

  private static Snapshot snapshot(TestDatabase db) throws SQLException {
    try (Connection admin = db.connect()) {
      List<String> relations =
          Sql.column(
              admin,
              "SELECT relname FROM pg_catalog.pg_class"
                  + " WHERE relnamespace = 'public'::regnamespace ORDER BY relname");
      return new Snapshot(
          relations,
          count(admin, "SELECT count(*) FROM pgtrickle.pgt_stream_tables"),
          count(admin, "SELECT count(*) FROM pgtrickle.pgt_dependencies"),
          count(admin, "SELECT count(*) FROM pgtrickle.pgt_refresh_history"));
    }
  }
}
