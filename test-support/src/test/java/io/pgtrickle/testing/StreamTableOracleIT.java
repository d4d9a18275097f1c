package io.pgtrickle.testing;

import static io.pgtrickle.testing.StreamTableOracle.assertMatchesQuery;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Stream tables are stood in for by plain tables: the oracle only reads them. */
@PgTest
class StreamTableOracleIT {

  private static final String QUERY = "SELECT region, amount FROM app.orders";

  private Connection c;

  @BeforeAll
  static void orders(TestDatabase db) throws SQLException {
    db.execute("CREATE SCHEMA app");
    db.execute("CREATE TABLE app.orders (id int PRIMARY KEY, region text, amount numeric(10,2))");
    // Rows 1 and 2 project to the same (region, amount): the multiset has a duplicate.
    db.execute(
        "INSERT INTO app.orders VALUES (1, 'north', 10.00), (2, 'north', 10.00),"
            + " (3, 'south', 5.50), (4, NULL, NULL)");
  }

  @BeforeEach
  void connect(TestDatabase db) throws SQLException {
    c = db.connect();
    c.createStatement().execute("DROP TABLE IF EXISTS app.st");
    c.createStatement().execute("CREATE TABLE app.st AS " + QUERY);
  }

  @AfterEach
  void close() throws SQLException {
    c.close();
  }

  @Test
  void equalMultisetsPass() {
    assertThatCode(() -> assertMatchesQuery(c, "app.st", QUERY)).doesNotThrowAnyException();
    assertThatCode(() -> assertMatchesQuery(c, "app.st", QUERY + " ORDER BY 1 DESC;\n"))
        .doesNotThrowAnyException();
  }

  @Test
  void aMissingDuplicateFails() throws SQLException {
    c.createStatement()
        .execute(
            "DELETE FROM app.st WHERE ctid = (SELECT min(ctid) FROM app.st WHERE region = 'north')");

    assertThatThrownBy(() -> assertMatchesQuery(c, "app.st", QUERY))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("0 extra and 1 missing row(s)")
        .hasMessageContaining("the stream table has 3 row(s), the query returns 4")
        .hasMessageContaining(
            "missing rows (in the query result, not in the stream table):\n  (north,10.00)")
        .hasMessageNotContaining("extra rows");
  }

  @Test
  void anExtraRowFails() throws SQLException {
    c.createStatement().execute("INSERT INTO app.st VALUES ('west', 1.00)");

    assertThatThrownBy(() -> assertMatchesQuery(c, "app.st", QUERY))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("1 extra and 0 missing row(s)")
        .hasMessageContaining(
            "extra rows (in the stream table, not in the query result):\n  (west,1.00)")
        .hasMessageContaining("query: " + QUERY);
  }

  @Test
  void nullsCompareEqual() throws SQLException {
    assertThat(StreamTableOracle.count(c, "app.st WHERE region IS NULL")).isEqualTo(1);
    assertThatCode(() -> assertMatchesQuery(c, "app.st", QUERY)).doesNotThrowAnyException();
  }

  @Test
  void listsAtMostTwentyRowsOfEachKind() {
    assertThatThrownBy(
            () ->
                assertMatchesQuery(
                    c, "app.st", "SELECT 'x' || g, g::numeric FROM generate_series(1, 25) g"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("4 extra and 25 missing row(s)")
        .hasMessageContaining(", first 20 of 25:")
        .satisfies(
            e -> assertThat(e.getMessage().lines().filter(l -> l.startsWith("  (x"))).hasSize(20));
  }

  @Test
  void columnsWithoutEqualityAreComparedAsTextEvenInsideATransaction() throws SQLException {
    c.setAutoCommit(false);
    c.createStatement()
        .execute(
            "CREATE TABLE app.js AS SELECT region, json_build_object('n', amount) AS doc FROM app.orders");
    String query = "SELECT region, json_build_object('n', amount) AS doc FROM app.orders";

    assertThatCode(() -> assertMatchesQuery(c, "app.js", query)).doesNotThrowAnyException();
    c.createStatement().execute("UPDATE app.js SET doc = '{\"n\" : 0}' WHERE region = 'south'");
    assertThatThrownBy(() -> assertMatchesQuery(c, "app.js", query))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("1 extra and 1 missing row(s)")
        .hasMessageContaining("(south,\"{\"\"n\"\" : 0}\")");
    // The transaction is still usable after the typed comparison failed.
    assertThat(StreamTableOracle.count(c, "app.js")).isEqualTo(4);
    c.rollback();
  }

  @Test
  void mismatchedColumnsAreAnSqlErrorNamingTheStreamTable() {
    assertThatThrownBy(() -> assertMatchesQuery(c, "app.st", "SELECT region FROM app.orders"))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("could not compare stream table app.st with its query")
        .hasMessageContaining("same number of columns");
  }

  @Test
  void tableNamesInTheQueryAreNotCapturedByTheOracle(TestDatabase db) throws SQLException {
    // A user table with the name of one of the oracle's CTEs, and a column named like its alias.
    db.execute("CREATE TABLE IF NOT EXISTS pgt_oracle_table (pgt_oracle_row int)");
    db.execute("TRUNCATE pgt_oracle_table");
    db.execute("INSERT INTO pgt_oracle_table VALUES (1), (2)");

    assertThatCode(
            () ->
                assertMatchesQuery(c, "(VALUES (1), (2))", "SELECT * FROM pgt_oracle_table -- all"))
        .doesNotThrowAnyException();
  }
}
