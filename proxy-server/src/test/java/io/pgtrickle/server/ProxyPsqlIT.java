package io.pgtrickle.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.server.ClientProcess.Result;
import io.pgtrickle.server.protocol.LeakCheckExtension;
import io.pgtrickle.testing.PgTest;
import io.pgtrickle.testing.TestDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** psql prints exactly the same through the proxy as connected straight to PostgreSQL. */
@PgTest
@ExtendWith(LeakCheckExtension.class)
class ProxyPsqlIT {
  /** Each script runs in this schema, made afresh before each of the two runs. */
  private static final String SCHEMA = "psql_cmp";

  /**
   * Set in the startup packet, so the proxy must pass the client's options on for the meta-commands
   * to see the same objects.
   */
  private static final Map<String, String> ENV =
      Map.of("PGOPTIONS", "-c search_path=" + SCHEMA + " -c client_min_messages=notice");

  /** A notification names the backend's process id, which differs from one session to the next. */
  private static final Pattern PID = Pattern.compile("PID \\d+");

  private static TestProxy proxy;

  @TempDir Path work;

  @BeforeAll
  static void startProxy(TestDatabase db) throws Exception {
    proxy = TestProxy.start(db);
  }

  @AfterAll
  static void stopProxy() {
    if (proxy != null) {
      proxy.close();
    }
  }

  @Test
  void queriesAndDataChangesPrintTheSame(TestDatabase db) throws Exception {
    Runs runs = compare(db, "queries.sql", "-v", "ON_ERROR_STOP=1");

    assertThat(runs.proxied.exitCode()).as("%s", runs.proxied).isZero();
    assertThat(runs.proxied.stdout())
        .as("%s", runs.proxied)
        .contains("UPDATE 1", "DELETE 1", "INSERT 0 2000", " 43\n", "(3000 rows)", "rows: 3000")
        .contains(" generated \n", "(2002 rows)");
    assertThat(runs.proxied.stderr()).contains("NOTICE:  hello from plpgsql");
  }

  @Test
  void metaCommandsPrintTheSame(TestDatabase db) throws Exception {
    Runs runs = compare(db, "describe.sql", "-v", "ON_ERROR_STOP=1");

    assertThat(runs.proxied.exitCode()).as("%s", runs.proxied).isZero();
    assertThat(runs.proxied.stdout())
        .as("%s", runs.proxied)
        .contains("Table \"psql_cmp.items\"", "\"items_name_idx\" btree (name)")
        .contains("things for psql", "ticket_seq", "mood", "CREATE OR REPLACE FUNCTION")
        .contains("psql_cmp.twice(x integer)", "item_names");
  }

  @Test
  void copyInAndOutMovesTheSameData(TestDatabase db) throws Exception {
    StringBuilder rows = new StringBuilder();
    for (int i = 1; i <= 20_000; i++) {
      rows.append(i).append('\t').append(i % 97 == 0 ? "\\N" : "name " + i).append('\n');
    }
    String csv = "id,name\n100003,\"with, comma\"\n100004,\"with \"\"quotes\"\"\"\n";
    Runs runs =
        compare(
            db,
            "copy.sql",
            Map.of(
                "in.tsv", rows.toString().getBytes(StandardCharsets.UTF_8),
                "in.csv", csv.getBytes(StandardCharsets.UTF_8)));

    // The inline COPY with a bad line fails, so ON_ERROR_STOP stays off here.
    assertThat(runs.proxied.exitCode()).as("%s", runs.proxied).isZero();
    assertThat(runs.proxied.stdout())
        .as("%s", runs.proxied)
        .contains("COPY 20000", "COPY 2", "COPY 20004", "100004,\"with \"\"quotes\"\"\"");
    assertThat(runs.proxied.stderr())
        .as("%s", runs.proxied)
        .contains("ERROR:  invalid input syntax for type integer: \"not-a-number\"")
        .contains("CONTEXT:  COPY items, line 2, column id: \"not-a-number\"");
    for (String file : List.of("out.tsv", "out.bin")) {
      assertThat(Files.readAllBytes(runs.proxiedDir.resolve(file)))
          .as(file)
          .isEqualTo(Files.readAllBytes(runs.directDir.resolve(file)));
    }
    assertThat(Files.readString(runs.proxiedDir.resolve("out.tsv")))
        .startsWith("1\tname 1\n")
        .contains("97\t\\N\n", "100002\t\\N\n");
  }

  @Test
  void errorsCarryTheSameFields(TestDatabase db) throws Exception {
    Runs runs = compare(db, "errors.sql", "-v", "VERBOSITY=verbose");

    assertThat(runs.proxied.exitCode()).as("%s", runs.proxied).isZero();
    assertThat(runs.proxied.stderr())
        .as("%s", runs.proxied)
        .contains("ERROR:  22012: division by zero")
        .contains("ERROR:  42P01: relation \"missing_table\" does not exist")
        .contains("ERROR:  23505: duplicate key value violates unique constraint \"items_pkey\"")
        .contains("DETAIL:  Key (id)=(1) already exists.", "CONSTRAINT NAME:  items_pkey")
        .contains("ERROR:  23514:", "ERROR:  42601: syntax error at or near \"here\"")
        .contains("ERROR:  P0001: custom failure 7", "DETAIL:  some detail", "HINT:  some hint");
    assertThat(runs.proxied.stdout())
        .as("%s", runs.proxied)
        .contains("22012 division by zero", "P0001 custom failure 7", "still running");
  }

  @Test
  void onErrorStopEndsTheScriptWithStatusThree(TestDatabase db) throws Exception {
    Runs runs = compare(db, "stop.sql", "-v", "ON_ERROR_STOP=1", "-v", "VERBOSITY=verbose");

    assertThat(runs.proxied.exitCode()).as("%s", runs.proxied).isEqualTo(3);
    assertThat(runs.proxied.stdout()).contains("first").doesNotContain("never");
    assertThat(runs.proxied.stderr()).contains("ERROR:  22012: division by zero");
  }

  @Test
  void transactionsEndAsTheyDoDirectly(TestDatabase db) throws Exception {
    Runs runs = compare(db, "transactions.sql");

    assertThat(runs.proxied.exitCode()).as("%s", runs.proxied).isZero();
    assertThat(runs.proxied.stderr())
        .as("%s", runs.proxied)
        .contains(
            "current transaction is aborted, commands ignored until end of transaction block");
    assertThat(runs.proxied.stdout())
        .as("%s", runs.proxied)
        .contains("  3 | kept\n", "  4 | kept despite the error after it\n")
        .contains("  6 | implicitly in a transaction, committed\n")
        .doesNotContain("| rolled back", "| implicitly in a transaction, rolled back")
        .endsWith("(3 rows)\n\n");
  }

  @Test
  void notificationsAndLargeObjectsWork(TestDatabase db) throws Exception {
    byte[] blob = new byte[300_000];
    new Random(42).nextBytes(blob);
    Runs runs = compare(db, "async.sql", Map.of("blob.bin", blob), "-v", "ON_ERROR_STOP=1");

    assertThat(runs.proxied.exitCode()).as("%s", runs.proxied).isZero();
    assertThat(runs.proxied.stdout())
        .as("%s", runs.proxied)
        .contains("Asynchronous notification \"ch\" with payload \"payload\" received")
        .contains("Asynchronous notification \"ch\" with payload \"second\" received")
        .contains(" 300000 | ");
    assertThat(Files.readAllBytes(runs.proxiedDir.resolve("blob.out"))).isEqualTo(blob);
  }

  // ---- running a script both ways ----

  /** The two runs of one script, and the directories they ran in. */
  private record Runs(Result direct, Result proxied, Path directDir, Path proxiedDir) {}

  private Runs compare(TestDatabase db, String script, String... options) throws Exception {
    return compare(db, script, Map.of(), options);
  }

  /**
   * Runs the resource {@code script} with psql straight against the database and then through the
   * proxy, each in a fresh schema and a directory of its own holding {@code files}, and asserts
   * that both printed the same and exited alike.
   */
  private Runs compare(TestDatabase db, String script, Map<String, byte[]> files, String... options)
      throws Exception {
    Path directDir = prepare("direct", script, files);
    Path proxiedDir = prepare("proxied", script, files);
    List<String> args = new ArrayList<>(List.of(options));
    args.addAll(List.of("-f", script));

    resetSchema(db);
    Result direct = ClientProcess.psql(db, db.host(), db.port(), directDir, ENV, args);
    resetSchema(db);
    Result proxied = ClientProcess.psql(db, proxy.host(), proxy.port(), proxiedDir, ENV, args);

    assertThat(normalize(proxied.stdout()))
        .as("stdout through the proxy; direct run:%n%s", direct)
        .isEqualTo(normalize(direct.stdout()));
    assertThat(normalize(proxied.stderr()))
        .as("stderr through the proxy")
        .isEqualTo(normalize(direct.stderr()));
    assertThat(proxied.exitCode()).as("exit status through the proxy").isEqualTo(direct.exitCode());
    return new Runs(direct, proxied, directDir, proxiedDir);
  }

  private Path prepare(String name, String script, Map<String, byte[]> files) throws IOException {
    Path dir = Files.createDirectory(work.resolve(name));
    try (InputStream in = ProxyPsqlIT.class.getResourceAsStream("psql/" + script)) {
      assertThat(in).as("test resource psql/" + script).isNotNull();
      Files.write(dir.resolve(script), in.readAllBytes());
    }
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      Files.write(dir.resolve(f.getKey()), f.getValue());
    }
    return dir;
  }

  private static void resetSchema(TestDatabase db) throws SQLException {
    db.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
    db.execute("CREATE SCHEMA " + SCHEMA);
  }

  private static String normalize(String output) {
    return PID.matcher(output).replaceAll("PID <pid>");
  }
}
