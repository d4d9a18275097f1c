package io.pgtrickle.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.engine.catalog.CatalogMigrator;
import io.pgtrickle.engine.session.JdbcSqlSession;
import io.pgtrickle.server.ClientProcess.Result;
import io.pgtrickle.server.protocol.LeakCheckExtension;
import io.pgtrickle.testing.PgTest;
import io.pgtrickle.testing.Sql;
import io.pgtrickle.testing.StreamTableOracle;
import io.pgtrickle.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The pg_trickle API called from psql through the proxy, as the README walks through it. */
@PgTest
@ExtendWith(LeakCheckExtension.class)
class ProxyPsqlApiIT {
  private static final String TOTALS_QUERY =
      "SELECT region, sum(amount) AS total, count(*) AS cnt FROM orders GROUP BY region";

  private static TestProxy proxy;

  @TempDir Path work;

  @BeforeAll
  static void startProxy(TestDatabase db) throws Exception {
    // Installed up front, so that no test depends on which API call happens to come first: the
    // proxy installs it only at a call outside a transaction block.
    try (Connection c = db.connect()) {
      CatalogMigrator.migrate(new JdbcSqlSession(c));
    }
    proxy = TestProxy.start(db);
  }

  @AfterAll
  static void stopProxy() {
    if (proxy != null) {
      proxy.close();
    }
  }

  @Test
  void readmeWalkKeepsTheStreamTableCurrent(TestDatabase db) throws Exception {
    Result r =
        script(
            db,
            """
            CREATE TABLE orders (id serial PRIMARY KEY, region text NOT NULL, amount numeric NOT NULL);
            INSERT INTO orders (region, amount) VALUES ('north', 10), ('north', 15), ('south', 7);
            SELECT pgtrickle.create_stream_table('totals',
                $$%s$$,
                schedule => '1m', refresh_mode => 'DIFFERENTIAL');
            SELECT * FROM totals ORDER BY region;
            INSERT INTO orders (region, amount) VALUES ('south', 3), ('west', 100);
            UPDATE orders SET amount = 20 WHERE id = 2;
            DELETE FROM orders WHERE id = 1;
            SELECT pgtrickle.refresh_stream_table('totals');
            SELECT * FROM totals ORDER BY region;
            """
                .formatted(TOTALS_QUERY));

    assertThat(r.exitCode()).as("%s", r).isZero();
    assertThat(r.stdout())
        .isEqualTo(
            """
            CREATE TABLE
            INSERT 0 3
            create_stream_table

            (1 row)
            region|total|cnt
            north|25|2
            south|7|1
            (2 rows)
            INSERT 0 2
            UPDATE 1
            DELETE 1
            refresh_stream_table

            (1 row)
            region|total|cnt
            north|20|1
            south|10|2
            west|100|1
            (3 rows)
            """);
    try (Connection c = db.connect()) {
      StreamTableOracle.assertMatchesQuery(c, "totals", TOTALS_QUERY);
      assertThat(
              Sql.column(
                  c,
                  "SELECT h.action || ' ' || h.initiated_by || ' ' || h.status"
                      + " FROM pgtrickle.pgt_refresh_history h"
                      + " JOIN pgtrickle.pgt_stream_tables s USING (pgt_id)"
                      + " WHERE s.pgt_name = 'totals' ORDER BY h.refresh_id"))
          .containsExactly("FULL INITIAL COMPLETED", "DIFFERENTIAL MANUAL COMPLETED");
      assertThat(
              Sql.column(
                  c,
                  "SELECT refresh_mode || ' ' || effective_refresh_mode"
                      + " FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 'totals'"))
          .containsExactly("DIFFERENTIAL DIFFERENTIAL");
    }
  }

  @Test
  void callsAnswerLikeAVoidFunction(TestDatabase db) throws Exception {
    db.execute("CREATE TABLE shapes (id int PRIMARY KEY)");
    // psql's \gdesc prepares the unnamed statement and describes it in two exchanges, which a
    // transaction-pooling PgBouncer may send to two server connections: not in that leg.
    String gdesc =
        db.throughPgBouncer()
            ? ""
            : "SELECT pgtrickle.create_stream_table('shape_ids', 'SELECT id FROM shapes') \\gdesc\n";
    String described =
        db.throughPgBouncer() ? "" : "Column|Type\ncreate_stream_table|void\n(1 row)\n";
    Result r =
        script(
            db,
            gdesc
                + """
            SELECT pgtrickle.create_stream_table('shape_ids', 'SELECT id FROM shapes') AS made;
            SELECT * FROM pgtrickle.refresh_stream_table('shape_ids') AS r(done);
            \\x on
            SELECT pgtrickle.drop_stream_table('shape_ids');
            """);

    assertThat(r.exitCode()).as("%s", r).isZero();
    assertThat(r.stdout())
        .isEqualTo(
            described
                + """
            made

            (1 row)
            done

            (1 row)
            Expanded display is on.
            drop_stream_table|
            """);

    // Straight to the server, psql describes the catalog's stub function alike, and calling it
    // says where the call should have gone.
    Result direct =
        script(
            db,
            db.host(),
            db.port(),
            List.of(),
            gdesc + "SELECT pgtrickle.refresh_stream_table('shape_ids');\n");
    assertThat(direct.exitCode()).as("%s", direct).isEqualTo(3);
    assertThat(direct.stdout()).isEqualTo(described);
    assertThat(direct.stderr())
        .as("%s", direct)
        .contains(
            "ERROR:  0A000: pgtrickle.refresh_stream_table must be called through the pg_trickle"
                + " proxy or JDBC driver");
  }

  @Test
  void rolledBackCreateLeavesNothingBehind(TestDatabase db) throws Exception {
    db.execute("CREATE TABLE ledger (id int PRIMARY KEY, amount int NOT NULL)");
    db.execute("INSERT INTO ledger VALUES (1, 10), (2, 20)");
    String create =
        "SELECT pgtrickle.create_stream_table('ledger_copy', $$SELECT id, amount FROM ledger$$,"
            + " refresh_mode => 'DIFFERENTIAL');\n";
    Result r =
        script(
            db,
            "BEGIN;\n"
                + create
                + "SELECT count(*) FROM ledger_copy;\n"
                + "SELECT count(*) FROM pgtrickle.pgt_stream_tables"
                + " WHERE pgt_name = 'ledger_copy';\n"
                + "ROLLBACK;\n");

    assertThat(r.exitCode()).as("%s", r).isZero();
    assertThat(r.stdout())
        .as("the stream table existed inside the transaction")
        .isEqualTo(
            """
            BEGIN
            create_stream_table

            (1 row)
            count
            2
            (1 row)
            count
            1
            (1 row)
            ROLLBACK
            """);
    assertLedgerCopyIsGone(db);

    // Nothing half-made blocks doing it for real.
    Result again = script(db, create + "SELECT pgtrickle.drop_stream_table('ledger_copy');\n");
    assertThat(again.exitCode()).as("%s", again).isZero();
    assertLedgerCopyIsGone(db);
  }

  private static void assertLedgerCopyIsGone(TestDatabase db) throws SQLException {
    try (Connection c = db.connect()) {
      assertThat(
              Sql.column(
                  c,
                  "SELECT count(*) FROM pgtrickle.pgt_stream_tables"
                      + " WHERE pgt_name = 'ledger_copy'"))
          .containsExactly("0");
      assertThat(Sql.column(c, "SELECT to_regclass('ledger_copy') IS NULL")).containsExactly("t");
      assertThat(
              Sql.column(
                  c,
                  "SELECT tgname FROM pg_trigger"
                      + " WHERE tgrelid = 'ledger'::regclass AND NOT tgisinternal"))
          .as("change-capture triggers on the source")
          .isEmpty();
      assertThat(
              Sql.column(
                  c,
                  "SELECT to_regclass(format('pgtrickle_changes.%I',"
                      + " 'changes_' || 'ledger'::regclass::oid)) IS NULL"))
          .as("change buffer of the source")
          .containsExactly("t");
    }
  }

  @Test
  void firstCallInATransactionOnAFreshDatabaseSaysHowToInstallTheCatalog(TestDatabase db)
      throws Exception {
    String fresh = db.databaseName() + "_fresh";
    db.execute("CREATE DATABASE " + fresh);
    try {
      String body =
          """
          CREATE TABLE IF NOT EXISTS events (id int PRIMARY KEY);
          SELECT pgtrickle.create_stream_table('event_ids', 'SELECT id FROM events');
          SELECT count(*) FROM event_ids;
          """;
      // psql -1 is BEGIN ... COMMIT around the script: the catalog's migrations, which commit on
      // their own, cannot run inside it.
      Result inBlock = script(db, List.of("-1", "-d", fresh), body);
      assertThat(inBlock.exitCode()).as("%s", inBlock).isEqualTo(3);
      assertThat(inBlock.stderr())
          .as("%s", inBlock)
          .contains(
              "ERROR:  55000: the pg_trickle catalog is not installed in database \""
                  + fresh
                  + "\", and it cannot be installed inside a transaction block")
          .contains("HINT:  Make one pg_trickle call outside a transaction block");

      Result outside = script(db, List.of("-d", fresh), body);
      assertThat(outside.exitCode()).as("%s", outside).isZero();
      assertThat(outside.stdout()).endsWith("count\n0\n(1 row)\n");
      Result inBlockNow =
          script(
              db,
              List.of("-1", "-d", fresh),
              "SELECT pgtrickle.drop_stream_table('event_ids');\n" + body);
      assertThat(inBlockNow.exitCode()).as("%s", inBlockNow).isZero();
    } finally {
      db.execute("DROP DATABASE " + fresh + " WITH (FORCE)");
    }
  }

  @Test
  void apiErrorsReachPsqlWithSqlstateAndHint(TestDatabase db) throws Exception {
    Result r =
        script(
            db,
            """
            SELECT 'before' AS step;
            SELECT pgtrickle.refresh_stream_table('no_such_stream_table');
            SELECT 'after' AS step;
            """);

    assertThat(r.exitCode()).as("ON_ERROR_STOP ends the script with status 3").isEqualTo(3);
    assertThat(r.stdout()).isEqualTo("step\nbefore\n(1 row)\n");
    assertThat(r.stderr())
        .isEqualTo(
            """
            psql:script.sql:2: ERROR:  42P01: stream table "no_such_stream_table" does not exist
            HINT:  SELECT pgt_schema, pgt_name FROM pgtrickle.pgt_stream_tables lists them.
            """);
  }

  @Test
  void apiErrorAbortsTheTransactionLikeAServerError(TestDatabase db) throws Exception {
    db.execute("CREATE TABLE diary (id int PRIMARY KEY)");
    Result r =
        script(
            db,
            """
            \\set ON_ERROR_STOP 0
            BEGIN;
            INSERT INTO diary VALUES (1);
            SELECT pgtrickle.create_stream_table('diary_copy', 'SELECT id FROM diary',
                refresh_mode => 'SOMETIMES');
            \\echo sqlstate :LAST_ERROR_SQLSTATE
            SELECT count(*) FROM diary;
            COMMIT;
            SELECT count(*) FROM diary;
            """);

    assertThat(r.exitCode()).as("%s", r).isZero();
    assertThat(r.stdout())
        .isEqualTo(
            """
            BEGIN
            INSERT 0 1
            sqlstate 22023
            ROLLBACK
            count
            0
            (1 row)
            """);
    assertThat(r.stderr())
        .as("%s", r)
        .contains("psql:script.sql:5: ERROR:  22023: invalid value for refresh_mode: 'SOMETIMES'")
        .contains("HINT:  Valid values are 'AUTO', 'FULL', 'DIFFERENTIAL', 'IMMEDIATE'.")
        .contains(
            "psql:script.sql:7: ERROR:  25P02: current transaction is aborted,"
                + " commands ignored until end of transaction block");
  }

  @Test
  void apiCallCombinedWithOtherStatementsIsRefusedWhole(TestDatabase db) throws Exception {
    db.execute("CREATE TABLE combined (id int)");
    Result r =
        psql(
            db,
            "-v",
            "VERBOSITY=verbose",
            "-c",
            "INSERT INTO combined VALUES (1); SELECT pgtrickle.refresh_stream_table('totals')");

    assertThat(r.exitCode()).as("%s", r).isEqualTo(1);
    assertThat(r.stderr())
        .startsWith(
            "ERROR:  0A000: pgtrickle.refresh_stream_table cannot be combined with other"
                + " statements in one query string\n")
        .contains(
            "HINT:  Send SELECT pgtrickle.refresh_stream_table(...) as a statement of its own");
    try (Connection c = db.connect()) {
      assertThat(Sql.column(c, "SELECT count(*) FROM combined"))
          .as("no part of the query string ran")
          .containsExactly("0");
    }
  }

  @Test
  void singleTransactionScriptCommitsOrRollsBackApiCallsWithTheRest(TestDatabase db)
      throws Exception {
    String body =
        """
        CREATE TABLE sales_%1$s (id int PRIMARY KEY, shop text NOT NULL, amount int NOT NULL);
        INSERT INTO sales_%1$s VALUES (1, 'a', 5), (2, 'b', 7);
        SELECT pgtrickle.create_stream_table('by_shop_%1$s',
            $$SELECT shop, sum(amount) AS total FROM sales_%1$s GROUP BY shop$$,
            refresh_mode => 'DIFFERENTIAL');
        INSERT INTO sales_%1$s VALUES (3, 'a', 1);
        SELECT format('SELECT pgtrickle.refresh_stream_table(%%L)', pgt_name)
            FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 'by_shop_%1$s' \\gexec
        SELECT * FROM by_shop_%1$s ORDER BY shop;
        """;

    Result kept = script(db, List.of("-1"), body.formatted("kept"));
    assertThat(kept.exitCode()).as("%s", kept).isZero();
    assertThat(kept.stdout())
        .endsWith("refresh_stream_table\n\n(1 row)\nshop|total\na|6\nb|7\n(2 rows)\n");
    Result failed = script(db, List.of("-1"), body.formatted("failed") + "SELECT 1/0;\n");
    assertThat(failed.exitCode()).as("%s", failed).isEqualTo(3);
    assertThat(failed.stdout()).contains("a|6\nb|7\n");

    try (Connection c = db.connect()) {
      StreamTableOracle.assertMatchesQuery(
          c, "by_shop_kept", "SELECT shop, sum(amount) AS total FROM sales_kept GROUP BY shop");
      assertThat(Sql.column(c, "SELECT to_regclass('sales_failed') IS NULL")).containsExactly("t");
      assertThat(
              Sql.column(
                  c,
                  "SELECT pgt_name FROM pgtrickle.pgt_stream_tables"
                      + " WHERE pgt_name LIKE 'by_shop_%' ORDER BY 1"))
          .containsExactly("by_shop_kept");
    }
  }

  @Test
  void onErrorRollbackKeepsTheTransactionPastAFailedCall(TestDatabase db) throws Exception {
    db.execute("CREATE TABLE notes (id int PRIMARY KEY, body text)");
    String create =
        "SELECT pgtrickle.create_stream_table('note_copy', $$SELECT id, body FROM notes$$,"
            + " refresh_mode => 'DIFFERENTIAL');\n";
    Result r =
        script(
            db,
            "\\set ON_ERROR_STOP 0\n"
                + "\\set ON_ERROR_ROLLBACK on\n"
                + "BEGIN;\n"
                + "INSERT INTO notes VALUES (1, 'kept');\n"
                + "SELECT pgtrickle.refresh_stream_table('no_such_stream_table');\n"
                + create
                + create
                + "COMMIT;\n"
                + "SELECT * FROM note_copy;\n");

    assertThat(r.exitCode()).as("%s", r).isZero();
    assertThat(r.stdout())
        .isEqualTo(
            """
            BEGIN
            INSERT 0 1
            create_stream_table

            (1 row)
            COMMIT
            id|body
            1|kept
            (1 row)
            """);
    assertThat(r.stderr())
        .contains("ERROR:  42P01: stream table \"no_such_stream_table\" does not exist")
        .contains("ERROR:  42P07: stream table \"public.note_copy\" already exists");
  }

  @Test
  void fetchCountCursorCannotCarryAnApiCall(TestDatabase db) throws Exception {
    // With FETCH_COUNT, psql 15 wraps a SELECT in DECLARE ... CURSOR, which is not a call the proxy
    // can run; the user gets a clear error rather than the stub's.
    Result r =
        script(db, "\\set FETCH_COUNT 10\nSELECT pgtrickle.refresh_stream_table('anything');\n");

    assertThat(r.exitCode()).isEqualTo(3);
    assertThat(r.stderr())
        .as("%s", r)
        .contains(
            "ERROR:  0A000: pgtrickle.refresh_stream_table must be called in a statement of its"
                + " own");
  }

  @Test
  void ctrlCCancelsTheRunningQuery(TestDatabase db) throws Exception {
    // Also through PgBouncer, which drops a cancel whose connection closes before it has passed the
    // request on: the proxy waits for the upstream to close its cancel connection, as libpq does.
    String marker = "psql_cancel_" + System.nanoTime();
    ClientProcess psql =
        ClientProcess.start(
            "psql",
            db,
            proxy.host(),
            proxy.port(),
            work,
            Map.of(),
            List.of("-X", "-w", "-c", "SELECT pg_sleep(60) AS " + marker));
    awaitActiveQuery(db, marker);
    psql.interrupt();
    Result r = psql.await(Duration.ofSeconds(30));

    assertThat(r.exitCode()).as("%s", r).isEqualTo(1);
    assertThat(r.stderr())
        .contains("Cancel request sent", "ERROR:  canceling statement due to user request");
  }

  // ---- helpers ----

  /** Waits until the server runs a query containing {@code marker}, so a cancel has a target. */
  private static void awaitActiveQuery(TestDatabase db, String marker) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    try (Connection c = db.connect()) {
      while (Sql.column(
              c,
              "SELECT count(*) FROM pg_stat_activity WHERE state = 'active'"
                  + " AND query LIKE '%"
                  + marker
                  + "%' AND pid <> pg_backend_pid()")
          .equals(List.of("0"))) {
        assertThat(System.nanoTime()).as("query %s never started", marker).isLessThan(deadline);
        Thread.sleep(50);
      }
    }
  }

  /** Runs {@code text} as a script file through the proxy, unaligned and stopping at an error. */
  private Result script(TestDatabase db, String text) throws Exception {
    return script(db, List.of(), text);
  }

  private Result script(TestDatabase db, List<String> options, String text) throws Exception {
    return script(db, proxy.host(), proxy.port(), options, text);
  }

  private Result script(TestDatabase db, String host, int port, List<String> options, String text)
      throws Exception {
    Files.writeString(work.resolve("script.sql"), text);
    List<String> args = new ArrayList<>(options);
    args.addAll(List.of("-A", "-v", "ON_ERROR_STOP=1", "-v", "VERBOSITY=verbose"));
    args.addAll(List.of("-f", "script.sql"));
    return ClientProcess.psql(db, host, port, work, Map.of(), args);
  }

  private Result psql(TestDatabase db, String... args) throws Exception {
    return ClientProcess.psql(db, proxy.host(), proxy.port(), work, Map.of(), List.of(args));
  }
}
