package io.pgtrickle.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.server.ClientProcess.Result;
import io.pgtrickle.server.protocol.LeakCheckExtension;
import io.pgtrickle.testing.PgTest;
import io.pgtrickle.testing.StreamTableOracle;
import io.pgtrickle.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * psql through the proxy writing the sources of IMMEDIATE stream tables: autocommit writes,
 * transactions with savepoints, multi-statement lines, {@code \copy}, AUTOCOMMIT off. The same
 * script runs straight against PostgreSQL on twin tables where each stream table is a plain view of
 * its query, so identical output proves both that psql saw PostgreSQL's own command tags and errors
 * through the proxy, and that every read of a stream table, inside transactions too, already
 * reflected the writes before it.
 */
@PgTest
@ExtendWith(LeakCheckExtension.class)
class ProxyImmediatePsqlIT {
  private static final String TWIN = "twin";

  private static final String TOTALS =
      "SELECT region, count(*) AS cnt, sum(amount) AS total FROM orders GROUP BY region";
  private static final String MANAGERS =
      "SELECT o.id, o.amount, r.manager FROM orders o JOIN regions r ON r.region = o.region";

  private static final String SCRIPT =
      """
      -- autocommit
      INSERT INTO orders VALUES (1, 'north', 10), (2, 'south', 20), (3, 'south', 5);
      SELECT region, cnt, total FROM region_totals ORDER BY region;
      UPDATE orders SET amount = amount + 5 WHERE region = 'north';
      DELETE FROM orders WHERE id = 2;
      SELECT region, cnt, total FROM region_totals ORDER BY region;
      SELECT id, amount, manager FROM order_managers ORDER BY id;
      -- no transaction is open after an autocommit write: this COMMIT only warns
      COMMIT;
      -- a transaction with savepoints
      BEGIN;
      INSERT INTO orders VALUES (4, 'west', 30);
      SELECT region, cnt, total FROM region_totals ORDER BY region;
      SAVEPOINT a;
      UPDATE regions SET manager = 'zed' WHERE region = 'north';
      DELETE FROM orders WHERE region = 'south';
      SELECT id, amount, manager FROM order_managers ORDER BY id;
      SAVEPOINT b;
      INSERT INTO orders VALUES (5, 'north', 1);
      ROLLBACK TO SAVEPOINT a;
      SELECT region, cnt, total FROM region_totals ORDER BY region;
      SELECT id, amount, manager FROM order_managers ORDER BY id;
      RELEASE SAVEPOINT a;
      COMMIT;
      SELECT region, cnt, total FROM region_totals ORDER BY region;
      -- several statements in one Query message
      INSERT INTO orders VALUES (6, 'south', 40) \\; UPDATE orders SET amount = 0 WHERE id = 1 \\; DELETE FROM orders WHERE id = 3;
      SELECT region, cnt, total FROM region_totals ORDER BY region;
      -- transaction control inside one Query message, leaving a transaction open
      UPDATE orders SET amount = amount + 1 WHERE id = 1 \\; BEGIN \\; UPDATE orders SET amount = amount + 1 WHERE id = 4;
      SELECT region, cnt, total FROM region_totals ORDER BY region;
      COMMIT;
      SELECT region, cnt, total FROM region_totals ORDER BY region;
      -- one that fails half-way: the implicit transaction takes the first statement with it
      INSERT INTO orders VALUES (7, 'east', 70) \\; INSERT INTO orders VALUES (1, 'dup', 1);
      SELECT region, cnt, total FROM region_totals ORDER BY region;
      -- COPY FROM STDIN
      \\copy orders FROM 'orders.tsv'
      SELECT region, cnt, total FROM region_totals ORDER BY region;
      BEGIN;
      \\copy orders FROM 'more.tsv'
      SELECT region, cnt, total FROM region_totals ORDER BY region;
      ROLLBACK;
      SELECT region, cnt, total FROM region_totals ORDER BY region;
      \\copy orders (id, region, amount) FROM 'bad.tsv'
      -- the other forms of write
      INSERT INTO orders SELECT id + 100, region, amount FROM orders WHERE amount > 10;
      UPDATE orders o SET amount = o.amount + 1 FROM regions r WHERE r.region = o.region AND r.manager = 'ann';
      DELETE FROM orders o USING regions r WHERE r.region = o.region AND r.manager = 'bob' AND o.id > 100;
      INSERT INTO orders VALUES (1, 'east', 1) ON CONFLICT (id) DO UPDATE SET amount = EXCLUDED.amount;
      INSERT INTO orders VALUES (1, 'east', 1) ON CONFLICT DO NOTHING;
      MERGE INTO orders o USING (VALUES (1, 7), (999, 9)) AS m(id, amount) ON o.id = m.id WHEN MATCHED THEN UPDATE SET amount = m.amount WHEN NOT MATCHED THEN INSERT VALUES (m.id, 'north', m.amount);
      WITH gone AS (DELETE FROM orders WHERE id = 999 RETURNING *) INSERT INTO orders SELECT id + 1, region, amount FROM gone;
      SELECT region, cnt, total FROM region_totals ORDER BY region;
      SELECT id, amount, manager FROM order_managers ORDER BY id;
      -- an error in a transaction block: aborted until ROLLBACK
      BEGIN;
      UPDATE orders SET amount = 500 WHERE id = 1;
      INSERT INTO orders VALUES (1, 'dup', 1);
      SELECT 1;
      ROLLBACK;
      SELECT region, cnt, total FROM region_totals ORDER BY region;
      -- ON_ERROR_ROLLBACK: psql wraps each statement in a savepoint of its own, and rolls back to
      -- it when the statement fails
      \set ON_ERROR_ROLLBACK on
      BEGIN;
      INSERT INTO orders VALUES (60, 'west', 60);
      INSERT INTO orders VALUES (60, 'dup', 1);
      SELECT region, cnt, total FROM region_totals ORDER BY region;
      UPDATE orders SET amount = 61 WHERE id = 60;
      SELECT region, cnt, total FROM region_totals ORDER BY region;
      COMMIT;
      \set ON_ERROR_ROLLBACK off
      -- AUTOCOMMIT off: psql opens the transactions itself
      \\set AUTOCOMMIT off
      INSERT INTO orders VALUES (50, 'north', 50);
      SELECT region, cnt, total FROM region_totals ORDER BY region;
      ROLLBACK;
      UPDATE orders SET amount = amount * 2 WHERE region = 'north';
      COMMIT;
      \\set AUTOCOMMIT on
      SELECT region, cnt, total FROM region_totals ORDER BY region;
      SELECT id, amount, manager FROM order_managers ORDER BY id;
      """;

  private static TestProxy proxy;

  @TempDir Path work;

  @BeforeAll
  static void setUp(TestDatabase db) throws Exception {
    proxy = TestProxy.start(db);
    try (Connection c = db.connect();
        Statement st = c.createStatement()) {
      st.execute("CREATE SCHEMA " + TWIN);
      for (String schema : List.of("public", TWIN)) {
        st.execute("SET search_path = " + schema);
        st.execute("CREATE TABLE orders (id int PRIMARY KEY, region text NOT NULL, amount int)");
        st.execute("CREATE TABLE regions (region text PRIMARY KEY, manager text)");
        st.execute(
            "INSERT INTO regions VALUES ('north', 'ann'), ('south', 'bob'), ('west', 'cy'),"
                + " ('east', 'dee')");
      }
      st.execute("SET search_path = " + TWIN);
      st.execute("CREATE VIEW region_totals AS " + TOTALS);
      st.execute("CREATE VIEW order_managers AS " + MANAGERS);
    }
    try (Connection c = proxy.connect(MirroredClient.HANG_GUARD);
        Statement st = c.createStatement()) {
      st.execute(
          "SELECT pgtrickle.create_stream_table('region_totals', $$"
              + TOTALS
              + "$$, schedule => 'IMMEDIATE', refresh_mode => 'DIFFERENTIAL')");
      st.execute(
          "SELECT pgtrickle.create_stream_table('order_managers', $$"
              + MANAGERS
              + "$$, refresh_mode => 'IMMEDIATE')");
    }
  }

  @AfterAll
  static void stop() {
    if (proxy != null) {
      proxy.close();
    }
  }

  @Test
  void aScriptPrintsWhatPostgresPrintsAndEveryReadSeesTheWritesBeforeIt(TestDatabase db)
      throws Exception {
    Files.writeString(work.resolve("script.sql"), SCRIPT);
    Files.writeString(work.resolve("orders.tsv"), "10\tnorth\t1\n11\twest\t2\n12\tsouth\t3\n");
    Files.writeString(work.resolve("more.tsv"), "13\tnorth\t100\n14\teast\t200\n");
    Files.writeString(work.resolve("bad.tsv"), "15\tnorth\t1\n16\tnorth\tlots\n");
    List<String> args = List.of("-f", "script.sql");

    Result direct =
        ClientProcess.psql(
            db, db.host(), db.port(), work, Map.of("PGOPTIONS", "-c search_path=" + TWIN), args);
    Result proxied = ClientProcess.psql(db, proxy.host(), proxy.port(), work, Map.of(), args);

    assertThat(direct.exitCode()).as("%s", direct).isZero();
    assertThat(direct.stdout())
        .as("%s", direct)
        .contains("INSERT 0 3", "UPDATE 1", "DELETE 1", "BEGIN", "SAVEPOINT", "ROLLBACK")
        .contains("RELEASE", "COMMIT", "COPY 3", "COPY 2", "MERGE 2", "INSERT 0 0")
        .contains("INSERT 0 1\nUPDATE 1\nDELETE 1");
    assertThat(direct.stderr())
        .as("%s", direct)
        .contains("WARNING:  there is no transaction in progress")
        .contains("duplicate key value violates unique constraint \"orders_pkey\"")
        .contains("invalid input syntax for type integer: \"lots\"")
        .contains("current transaction is aborted")
        .contains("Key (id)=(60) already exists.");
    assertThat(proxied.stdout()).as("stdout through the proxy").isEqualTo(direct.stdout());
    assertThat(proxied.stderr()).as("stderr through the proxy").isEqualTo(direct.stderr());
    assertThat(proxied.exitCode()).as("%s", proxied).isZero();

    try (Connection c = db.connect()) {
      // The administrator's search_path starts with public.
      StreamTableOracle.assertMatchesQuery(c, "public.region_totals", TOTALS);
      StreamTableOracle.assertMatchesQuery(c, "public.order_managers", MANAGERS);
      for (String table : List.of("orders", "regions")) {
        StreamTableOracle.assertMatchesQuery(
            c, "public." + table, "SELECT * FROM " + TWIN + "." + table);
      }
    }
  }
}
