package io.pgtrickle.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.server.protocol.LeakCheckExtension;
import io.pgtrickle.testing.PgTest;
import io.pgtrickle.testing.Sql;
import io.pgtrickle.testing.StreamTableOracle;
import io.pgtrickle.testing.TestDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * psycopg2 (libpq, simple protocol, client-side parameters) through the proxy behaves as it does
 * against the database directly, and makes pg_trickle API calls like any function call.
 *
 * <p>The Python side is {@code psycopg2_client.py}; it prints {@code key<TAB>json} lines.
 */
@PgTest
@ExtendWith(LeakCheckExtension.class)
class ProxyPsycopg2IT {
  private static final String SCRIPT = "psycopg2_client.py";

  /** Tried in order: the first that imports psycopg2 runs the script. */
  private static final List<String> PYTHONS = List.of("python3", "/usr/bin/python3");

  private static TestProxy proxy;
  private static String python;
  @TempDir static Path temp;
  private static Path script;

  @BeforeAll
  static void setUp(TestDatabase db) throws Exception {
    python = findPython();
    script = temp.resolve(SCRIPT);
    try (InputStream in = ProxyPsycopg2IT.class.getResourceAsStream(SCRIPT)) {
      assertThat(in).as("test resource %s", SCRIPT).isNotNull();
      Files.copy(in, script);
    }
    proxy = TestProxy.start(db);
    // The first API call outside a transaction installs the catalog; psycopg2 calls inside one.
    db.execute("CREATE TABLE warmup_src (id int PRIMARY KEY)");
    try (Connection c = proxy.connect();
        Statement st = c.createStatement()) {
      st.execute(
          "SELECT pgtrickle.create_stream_table('warmup_st', $$SELECT id FROM warmup_src$$,"
              + " refresh_mode => 'FULL')");
    }
  }

  @AfterAll
  static void stopProxy() {
    if (proxy != null) {
      proxy.close();
    }
  }

  @Test
  void ordinaryWorkMatchesDirect(TestDatabase db) throws Exception {
    Map<String, String> proxied = run(proxy.host(), proxy.port(), db, "common", "viaproxy");
    Map<String, String> directly = run(db.host(), db.port(), db, "common", "direct");

    assertThat(proxied).isEqualTo(directly);
    assertThat(proxied.get("params.row"))
        .isEqualTo(
            "[-7, 4611686018427387904, \"-12345678901234567890.000000001\","
                + " \"ä€𝄞 'quoted' \\\\ back\\nslash\", \"\\\\x00ff5c27\","
                + " \"2024-02-29T23:59:59.123456+00:00\", [1, null, 3],"
                + " {\"k\": [1, \"ü\", null]}, null, true, -0.25]");
    assertThat(proxied.get("types.rows"))
        .contains("\"grüße, 日本語, 🐘 #1\"", "\"\\\\x00ff5c2701\"", "[3, null]");
    assertThat(proxied.get("dml.executemany_rowcount")).isEqualTo("3");
    assertThat(proxied.get("dml.update")).isEqualTo("[2, \"UPDATE 2\"]");
    assertThat(proxied.get("dml.returning")).isEqualTo("[[[4, \"d\", 8]], \"INSERT 0 1\"]");
    assertThat(proxied.get("dml.delete")).isEqualTo("[1, \"DELETE 1\"]");
    assertThat(proxied.get("prepare.execute")).isEqualTo("[[42, \"grüße!\"]]");
    assertThat(proxied.get("rollback.count")).isEqualTo("[0]");
    assertThat(proxied.get("error.division")).contains("\"pgcode\": \"22012\"");
    assertThat(proxied.get("error.aborted")).contains("\"pgcode\": \"25P02\"");
    assertThat(proxied.get("error.with_hint")).contains("\"pgcode\": \"42883\"", "type casts");
    assertThat(proxied.get("copy.in_rowcount")).isEqualTo("20000");
    assertThat(proxied.get("copy.out_same_as_in")).isEqualTo("true");
    assertThat(proxied.get("cursor.summary")).startsWith("[100000, 5000050000, ");
    assertThat(proxied.get("notify.payloads")).isEqualTo("[\"hello ü\"]");
  }

  @Test
  void apiCallsThroughPsycopg2(TestDatabase db) throws Exception {
    Map<String, String> out = run(proxy.host(), proxy.port(), db, "api", "py");

    assertThat(out.get("create.description")).isEqualTo("[[\"create_stream_table\", 2278]]");
    assertThat(out.get("create.result")).isEqualTo("[[[null]], 1, \"SELECT 1\"]");
    assertThat(out.get("create_named.result")).isEqualTo("[[\"made\"], [[null]]]");
    assertThat(out.get("create_dollar.result")).isEqualTo("[[null]]");
    for (String name : List.of("diff", "full", "dollar")) {
      assertThat(out.get("refresh." + name)).isEqualTo("[\"done\", [[null]]]");
    }
    assertThat(out.get("refresh.actions"))
        .isEqualTo(
            "[[\"diff\", \"DIFFERENTIAL\"], [\"full\", \"FULL\"], [\"dollar\", \"DIFFERENTIAL\"]]");
    assertThat(out.get("alter.result")).isEqualTo("[[null]]");
    assertThat(out.get("alter.refresh_mode")).isEqualTo("[\"DIFFERENTIAL\"]");
    assertThat(out.get("rollback.catalog")).as("in, after, relation").isEqualTo("[1, 0, null]");
    assertThat(out.get("error.missing")).isEqualTo("[\"42P01\", true]");
    assertThat(out.get("error.aborted")).isEqualTo("\"25P02\"");
    assertThat(out.get("error.bogus")).isEqualTo("[\"42883\", true, true]");
    assertThat(out.get("error.prepare")).contains("\"pgcode\": \"0A000\"", "statement of its own");
    assertThat(out.get("after_errors")).isEqualTo("[42]");
    assertThat(out.get("drop.result")).isEqualTo("[\"drop_stream_table\", [[null]]]");
    assertThat(out.get("drop.regclass")).isEqualTo("[null]");

    try (Connection c = db.connect()) {
      StreamTableOracle.assertMatchesQuery(
          c, "py_diff", "SELECT grp, sum(v) AS total, count(*) AS n FROM py_src GROUP BY grp");
      StreamTableOracle.assertMatchesQuery(
          c, "py_full", "SELECT id, v * 2 AS twice FROM py_src WHERE v > 50");
      StreamTableOracle.assertMatchesQuery(c, "py_committed", "SELECT id FROM py_src");
      assertThat(
              Sql.column(
                  c,
                  "SELECT pgt_name FROM pgtrickle.pgt_stream_tables"
                      + " WHERE pgt_name LIKE 'py%' ORDER BY pgt_name"))
          .containsExactly("py_committed", "py_diff", "py_full");
      assertThat(Sql.string(c, "SELECT to_regclass('py_rolled_back')")).isNull();
    }
  }

  /**
   * Runs a section of the script against {@code host:port} and returns its observations in order.
   */
  private static Map<String, String> run(
      String host, int port, TestDatabase db, String section, String prefix) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(python, script.toString(), section, prefix);
    Map<String, String> env = pb.environment();
    // Only our settings reach libpq, whatever the machine's environment says.
    env.keySet().removeIf(k -> k.startsWith("PG"));
    env.put("PGHOST", host);
    env.put("PGPORT", Integer.toString(port));
    env.put("PGDATABASE", db.databaseName());
    env.put("PGUSER", db.user());
    env.put("PGAPPNAME", "psycopg2-it");
    env.put("PGCONNECT_TIMEOUT", "10");
    if (db.password() != null) {
      env.put("PGPASSWORD", db.password());
    }
    env.put("PYTHONIOENCODING", "utf-8");
    Process p = pb.start();
    CompletableFuture<String> stderr =
        CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
    String stdout = readAll(p.getInputStream());
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("python finished").isTrue();
    assertThat(p.exitValue())
        .as(
            "exit status of %s %s against %s:%d; stderr:%n%s",
            SCRIPT, section, host, port, stderr.get())
        .isZero();
    Map<String, String> observations = new LinkedHashMap<>();
    for (String line : stdout.split("\n")) {
      if (!line.isEmpty()) {
        int tab = line.indexOf('\t');
        assertThat(tab).as("output line %s", line).isPositive();
        observations.put(line.substring(0, tab), line.substring(tab + 1));
      }
    }
    return observations;
  }

  private static String readAll(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("could not read the script's output", e);
    }
  }

  /** The first Python that can import psycopg2; fails the class if there is none. */
  private static String findPython() throws InterruptedException {
    List<String> tried = new ArrayList<>();
    for (String candidate : PYTHONS) {
      try {
        Process p =
            new ProcessBuilder(candidate, "-c", "import psycopg2")
                .redirectErrorStream(true)
                .start();
        boolean done = p.waitFor(30, TimeUnit.SECONDS);
        if (done && p.exitValue() == 0) {
          return candidate;
        }
        if (!done) {
          p.destroyForcibly();
        }
        tried.add(candidate + (done ? " (exit " + p.exitValue() + ")" : " (timed out)"));
      } catch (IOException e) {
        tried.add(candidate + " (" + e.getMessage() + ")");
      }
    }
    throw new AssertionError(
        "no Python with psycopg2 found, tried "
            + tried
            + "; install it with apt-get install python3-psycopg2");
  }
}
