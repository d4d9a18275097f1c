package io.pgtrickle.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtrickle.testing.PgTest;
import io.pgtrickle.testing.ScheduledRefreshes;
import io.pgtrickle.testing.Sql;
import io.pgtrickle.testing.StreamTableOracle;
import io.pgtrickle.testing.TestDatabase;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged command line, run as a user would: {@code java -jar pgtrickle-proxy.jar} on the
 * embedded default and in front of a given server, the README's psql session through it, and a
 * graceful stop on SIGTERM.
 */
@PgTest
class ProxyCommandLineIT {
  private static final Pattern LISTENING =
      Pattern.compile("pg_trickle proxy listening on ([^:]+):(\\d+)");

  /** Hang guard for starting the JVM (and, on the embedded default, initdb). */
  private static final long START_SECONDS = 180;

  @TempDir Path dir;

  @Test
  void embeddedDefaultRunsTheReadmeSessionAndStopsOnSigterm() throws Exception {
    try (Running proxy = start("--data-dir", dir.resolve("data").toString(), "--listen", ":0")) {
      String out =
          psql(
              proxy,
              "postgres",
              "CREATE TABLE orders (id int PRIMARY KEY, region text, amount numeric);",
              "INSERT INTO orders VALUES (1, 'US', 100), (2, 'EU', 200), (3, 'US', 50);",
              "SELECT pgtrickle.create_stream_table('regional_totals',"
                  + " $$SELECT region, SUM(amount) AS total, COUNT(*) AS cnt FROM orders"
                  + " GROUP BY region$$, refresh_mode => 'DIFFERENTIAL');",
              "INSERT INTO orders VALUES (4, 'EU', 25);",
              "SELECT pgtrickle.refresh_stream_table('regional_totals');",
              "SELECT region || '=' || total || '/' || cnt FROM regional_totals ORDER BY region;");
      assertThat(out.lines().filter(l -> l.contains("=")).toList())
          .containsExactly("EU=225/2", "US=150/2");
      assertThat(proxy.output()).contains("Connect with: psql -h 127.0.0.1 -p " + proxy.port);
      Path data = dir.resolve("data");
      assertThat(Files.exists(data.resolve("PG_VERSION"))).isTrue();
      int exit = proxy.stop();
      // SIGTERM: the JVM runs the shutdown hook and exits with 128 + 15.
      assertThat(exit).isEqualTo(143);
      proxy.awaitOutput("proxy stopped");
      // The embedded server was stopped too: its pid file is gone.
      assertThat(Files.exists(data.resolve("postmaster.pid"))).isFalse();
    }
  }

  @Test
  void upstreamModeEndsOpenSessionsWith57P01OnSigterm(TestDatabase db) throws Exception {
    String upstream = upstream(db);
    try (Running proxy = start("--upstream", upstream, "--listen", "127.0.0.1:0")) {
      Properties props = db.properties();
      String url = "jdbc:postgresql://127.0.0.1:" + proxy.port + "/" + db.databaseName();
      try (Connection c = DriverManager.getConnection(url, props);
          Statement s = c.createStatement()) {
        s.execute("CREATE TABLE cli_src (id int PRIMARY KEY, v int)");
        s.execute("INSERT INTO cli_src VALUES (1, 10), (2, 20)");
        s.execute(
            "SELECT pgtrickle.create_stream_table('cli_sum', $$SELECT sum(v) AS s FROM cli_src$$)");
        c.setAutoCommit(false);
        s.execute("INSERT INTO cli_src VALUES (3, 30)"); // left open: must be rolled back
        assertThat(proxy.stop()).isEqualTo(143);
        assertThatThrownBy(() -> s.executeQuery("SELECT 1").close())
            .isInstanceOf(SQLException.class)
            .satisfies(
                e -> assertThat(((SQLException) e).getSQLState()).isIn("57P01", "08006", "08003"));
      }
      try (Connection direct = db.connect();
          Statement s = direct.createStatement();
          ResultSet rs = s.executeQuery("SELECT count(*) FROM cli_src")) {
        rs.next();
        assertThat(rs.getInt(1)).as("the open transaction was rolled back").isEqualTo(2);
      }
    }
  }

  @Test
  void upstreamModeRunsTheSchedulerAndNoSchedulerTurnsItOff(TestDatabase db) throws Exception {
    String upstream = upstream(db);
    String q = "SELECT g, count(*) AS n FROM sched_src GROUP BY g";
    try (Running proxy =
            start("--upstream", upstream, "--listen", "127.0.0.1:0", "--scheduler-workers", "2");
        Connection c =
            DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + proxy.port + "/" + db.databaseName(),
                db.properties());
        Statement s = c.createStatement()) {
      assertThat(proxy.output()).contains("Scheduler started with 2 refresh workers");
      s.execute("CREATE TABLE sched_src (id int PRIMARY KEY, g int)");
      s.execute(
          "SELECT pgtrickle.create_stream_table('sched_counts', $$"
              + q
              + "$$, schedule => '1s', refresh_mode => 'DIFFERENTIAL')");
      s.execute("INSERT INTO sched_src SELECT i, i % 3 FROM generate_series(1, 30) i");
      ScheduledRefreshes.awaitAfter(c, "public.sched_counts", ScheduledRefreshes.now(c), 1);
      StreamTableOracle.assertMatchesQuery(c, "sched_counts", q);
    }
    try (Running proxy =
        start("--upstream", upstream, "--listen", "127.0.0.1:0", "--no-scheduler")) {
      assertThat(proxy.output()).doesNotContain("Scheduler started");
    }
  }

  /**
   * Two proxies schedule refreshes on one database. Proxy A is killed (SIGKILL) while its refresh
   * waits on a lock: until its orphaned backend notices and rolls back, proxy B leaves the stream
   * table alone (its catalog row is locked); then B refreshes it, once, with every committed
   * change.
   */
  @Test
  void anEngineKilledMidRefreshIsTakenOverByAnother(TestDatabase db) throws Exception {
    String q = "SELECT g, count(*) AS n, sum(v) AS total FROM fo_src GROUP BY g";
    String[] fast = {"--listen", "127.0.0.1:0", "--scheduler-tick", "100ms"};
    try (Connection direct = db.connectDirect();
        Connection blocker = db.connectDirect();
        Statement s = direct.createStatement()) {
      String marker;
      int orphan;
      try (Running a = start(concat(new String[] {"--upstream", upstream(db)}, fast));
          Connection viaA =
              DriverManager.getConnection(
                  "jdbc:postgresql://127.0.0.1:" + a.port + "/" + db.databaseName(),
                  db.properties());
          Statement sa = viaA.createStatement()) {
        sa.execute("CREATE TABLE fo_src (id int PRIMARY KEY, g int, v int)");
        sa.execute("INSERT INTO fo_src SELECT i, i % 7, i FROM generate_series(1, 1000) i");
        sa.execute(
            "SELECT pgtrickle.create_stream_table('fo_counts', $$"
                + q
                + "$$, schedule => '1s', refresh_mode => 'DIFFERENTIAL')");
        blocker.setAutoCommit(false);
        try (Statement b = blocker.createStatement()) {
          b.execute("LOCK TABLE fo_counts IN ACCESS EXCLUSIVE MODE");
        }
        marker = ScheduledRefreshes.now(direct);
        s.execute("INSERT INTO fo_src SELECT i, i % 7, i FROM generate_series(1001, 1500) i");
        s.execute("UPDATE fo_src SET v = v + 1 WHERE id <= 100");
        s.execute("DELETE FROM fo_src WHERE id > 1400");
        orphan = awaitBackendBlockedBy(direct, blocker);
        a.process.destroyForcibly();
        assertThat(a.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
      }
      try (Running b = start(concat(new String[] {"--upstream", upstream(db)}, fast))) {
        b.awaitOutput("Scheduler started");
        Thread.sleep(1000); // ten of B's ticks
        assertThat(appliedSince(direct, marker))
            .as("B must not refresh while A's transaction still holds the stream table")
            .isEmpty();
        blocker.rollback(); // A's backend finishes its statement, finds A gone and rolls back
        List<String> applied = appliedSince(direct, marker);
        for (int i = 0; i < 1200 && applied.isEmpty(); i++) {
          Thread.sleep(100);
          applied = appliedSince(direct, marker);
        }
        assertThat(applied)
            .as("the changes were applied once, incrementally, by a scheduled refresh")
            .containsExactly("DIFFERENTIAL false");
        StreamTableOracle.assertMatchesQuery(direct, "fo_counts", q);
        assertThat(
                Sql.scalar(direct, "SELECT count(*) FROM pg_stat_activity WHERE pid = " + orphan))
            .as("A's backend is gone")
            .isZero();
      }
    }
  }

  /** Waits for a backend of this database blocked by {@code blocker}'s session; its pid. */
  private static int awaitBackendBlockedBy(Connection direct, Connection blocker) throws Exception {
    long pid = Sql.scalar(blocker, "SELECT pg_backend_pid()");
    String blocked =
        "SELECT coalesce(min(pid), 0) FROM pg_stat_activity WHERE "
            + pid
            + " = ANY (pg_blocking_pids(pid))";
    for (int i = 0; i < 1200; i++) {
      long found = Sql.scalar(direct, blocked);
      if (found != 0) {
        return (int) found;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no scheduled refresh came to wait on the stream table's lock");
  }

  /** The scheduled refreshes since {@code marker} that applied rows: "action fallback" each. */
  private static List<String> appliedSince(Connection c, String marker) throws SQLException {
    return Sql.column(
        c,
        "SELECT action || ' ' || was_full_fallback FROM pgtrickle.pgt_refresh_history"
            + " WHERE initiated_by = 'SCHEDULER' AND status = 'COMPLETED'"
            + " AND rows_inserted + rows_deleted > 0 AND start_time > '"
            + marker
            + "'::timestamptz ORDER BY refresh_id");
  }

  private static String[] concat(String[] a, String[] b) {
    String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  private static String upstream(TestDatabase db) {
    String credentials = db.user() + (db.password() == null ? "" : ":" + db.password());
    return "postgresql://"
        + credentials
        + "@"
        + db.host()
        + ":"
        + db.port()
        + "/"
        + db.databaseName();
  }

  @Test
  void badOptionsAreReportedWithUsage() throws Exception {
    Process p =
        new ProcessBuilder(java(), "-jar", jar().toString(), "--listen", "nonsense")
            .redirectErrorStream(true)
            .start();
    assertThat(p.waitFor(START_SECONDS, TimeUnit.SECONDS)).isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).isEqualTo(2);
    assertThat(out).contains("expected HOST:PORT").contains("--upstream");

    Process tick =
        new ProcessBuilder(java(), "-jar", jar().toString(), "--scheduler-tick", "0s")
            .redirectErrorStream(true)
            .start();
    assertThat(tick.waitFor(START_SECONDS, TimeUnit.SECONDS)).isTrue();
    assertThat(new String(tick.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
        .contains("--scheduler-tick: '0s' is not a positive duration");
    assertThat(tick.exitValue()).isEqualTo(2);
  }

  /** A proxy process and what it printed so far. */
  private static final class Running implements AutoCloseable {
    final Process process;
    final int port;

    /** Appended to by the thread reading the process's output. */
    final StringBuffer output;

    Running(Process process, int port, StringBuffer output) {
      this.process = process;
      this.port = port;
      this.output = output;
    }

    String output() {
      return output.toString();
    }

    /** Waits until the output, read on another thread, holds {@code text}. */
    void awaitOutput(String text) throws InterruptedException {
      for (int i = 0; i < 100 && !output().contains(text); i++) {
        Thread.sleep(100);
      }
      assertThat(output()).contains(text);
    }

    int stop() throws InterruptedException {
      // SIGTERM through the handle: Process.destroy() would also close the output we still read.
      process.toHandle().destroy();
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("stopped after SIGTERM").isTrue();
      return process.exitValue();
    }

    @Override
    public void close() {
      process.destroyForcibly();
    }
  }

  private Running start(String... args) throws Exception {
    List<String> cmd = new java.util.ArrayList<>(List.of(java(), "-jar", jar().toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    StringBuffer output = new StringBuffer();
    BlockingQueue<Integer> port = new LinkedBlockingQueue<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  output.append(line).append('\n');
                  Matcher m = LISTENING.matcher(line);
                  if (m.find()) {
                    port.add(Integer.parseInt(m.group(2)));
                  }
                }
              } catch (IOException e) {
                // The process ended.
              }
              port.add(-1);
            },
            "proxy-output");
    reader.setDaemon(true);
    reader.start();
    Integer at = port.poll(START_SECONDS, TimeUnit.SECONDS);
    if (at == null || at < 0) {
      p.destroyForcibly();
      throw new AssertionError("the proxy did not start:\n" + output);
    }
    Running running = new Running(p, at, output);
    waitForPort(at);
    return running;
  }

  private static void waitForPort(int port) throws InterruptedException {
    for (int i = 0; i < 100; i++) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException e) {
        Thread.sleep(100);
      }
    }
    throw new AssertionError("nothing listens on port " + port);
  }

  private String psql(Running proxy, String database, String... statements) throws Exception {
    Path script = dir.resolve("session.sql");
    Files.writeString(script, String.join("\n", statements) + "\n");
    Process p =
        new ProcessBuilder(
                "psql",
                "-X",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                "127.0.0.1",
                "-p",
                Integer.toString(proxy.port),
                "-U",
                "postgres",
                "-f",
                script.toString(),
                database)
            .redirectErrorStream(true)
            .start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static Path jar() {
    Path jar = Path.of("target", "pgtrickle-proxy.jar");
    assertThat(jar).as("the shaded jar, built by mvn package").exists();
    return jar.toAbsolutePath();
  }
}
