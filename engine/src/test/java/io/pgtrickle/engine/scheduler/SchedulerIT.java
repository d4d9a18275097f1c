package io.pgtrickle.engine.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.engine.api.ApiExecutor;
import io.pgtrickle.engine.catalog.CatalogMigrator;
import io.pgtrickle.engine.session.JdbcSqlSession;
import io.pgtrickle.sql.api.ApiCallRecognizer;
import io.pgtrickle.testing.PgTest;
import io.pgtrickle.testing.ScheduledRefreshes;
import io.pgtrickle.testing.Sql;
import io.pgtrickle.testing.StreamTableOracle;
import io.pgtrickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * The scheduler against a real PostgreSQL: stream tables refresh themselves, in dependency order,
 * stretched by their tier, suspended after repeated failures and resumed, diamonds atomically, and
 * two schedulers on one database never refresh anything twice. After every awaited refresh the
 * stream tables equal a fresh run of their queries.
 */
@PgTest
class SchedulerIT {
  /** Generous: the machine is shared; nothing here asserts how fast a refresh happens. */
  private static final Duration WAIT = Duration.ofSeconds(60);

  private static final SchedulerConfig FAST =
      SchedulerConfig.DEFAULTS
          .withWorkers(2)
          .withTick(Duration.ofMillis(100))
          .withBackoff(Duration.ofMillis(100), Duration.ofMillis(400));

  private final List<Scheduler> schedulers = new ArrayList<>();
  private final List<PGNotification> received = new ArrayList<>();
  private Connection c;

  @BeforeEach
  void connect(TestDatabase db) throws SQLException {
    c = db.connect();
    CatalogMigrator.migrate(new JdbcSqlSession(c));
    // Each test starts from an empty catalog; the class shares one database.
    for (String name :
        Sql.column(
            c,
            "SELECT pgt_schema || '.' || pgt_name FROM pgtrickle.pgt_stream_tables ORDER BY pgt_id DESC")) {
      api("SELECT pgtrickle.drop_stream_table('" + name + "')");
    }
    exec("DROP SCHEMA IF EXISTS t CASCADE; CREATE SCHEMA t; SET search_path = t, public");
  }

  @AfterEach
  void stop() throws SQLException {
    schedulers.forEach(Scheduler::close);
    schedulers.clear();
    c.close();
  }

  @Test
  void intervalScheduleRefreshesWithoutAManualCall(TestDatabase db) throws Exception {
    exec("CREATE TABLE t.orders (id int PRIMARY KEY, region text, amount numeric)");
    String q = "SELECT region, sum(amount) AS total, count(*) AS cnt FROM t.orders GROUP BY region";
    create("t.totals", q, "schedule => '1s', refresh_mode => 'DIFFERENTIAL'");
    start(db, FAST);
    for (int round = 0; round < 3; round++) {
      exec(
          "INSERT INTO t.orders SELECT g, 'r' || (g % 3), g FROM generate_series("
              + (round * 10 + 1)
              + ", "
              + (round * 10 + 10)
              + ") g; UPDATE t.orders SET amount = amount + 1 WHERE id % 4 = 0");
      awaitScheduledRefreshAfter("t.totals", now());
      StreamTableOracle.assertMatchesQuery(c, "t.totals", q);
    }
    assertThat(
            Sql.scalar(
                c,
                "SELECT count(*) FROM pgtrickle.pgt_refresh_history WHERE initiated_by = 'SCHEDULER'"
                    + " AND action = 'DIFFERENTIAL' AND rows_inserted > 0"))
        .as("scheduled refreshes applied changes differentially, not as FULL")
        .isGreaterThanOrEqualTo(1);
    assertThat(Sql.string(c, "SELECT status FROM pgtrickle.pgt_stream_tables")).isEqualTo("ACTIVE");
  }

  @Test
  void calculatedSourceIsRefreshedBeforeItsReader(TestDatabase db) throws Exception {
    exec("CREATE TABLE t.events (id int PRIMARY KEY, kind text, v int)");
    String qa = "SELECT id, v FROM t.events WHERE kind = 'buy'";
    String qb = "SELECT count(*) AS n, sum(v) AS total FROM t.buys";
    create("t.buys", qa, ""); // calculated by default
    create("t.buy_totals", qb, "schedule => '1s', refresh_mode => 'DIFFERENTIAL'");
    start(db, FAST);
    exec(
        "INSERT INTO t.events SELECT g, CASE WHEN g % 2 = 0 THEN 'buy' ELSE 'view' END, g"
            + " FROM generate_series(1, 50) g");
    Instant marker = now();
    awaitScheduledRefreshAfter("t.buy_totals", marker);
    StreamTableOracle.assertMatchesQuery(c, "t.buys", qa);
    StreamTableOracle.assertMatchesQuery(c, "t.buy_totals", qb);
    assertThat(Sql.scalar(c, "SELECT n FROM t.buy_totals")).isEqualTo(25);
    // The source's refresh of that cycle finished before the reader's began.
    assertThat(
            Sql.string(
                c,
                "SELECT (SELECT min(end_time) FROM pgtrickle.pgt_refresh_history h"
                    + "  JOIN pgtrickle.pgt_stream_tables s USING (pgt_id)"
                    + "  WHERE s.pgt_name = 'buys' AND h.initiated_by = 'SCHEDULER'"
                    + "  AND h.start_time > '"
                    + marker
                    + "')"
                    + " <= (SELECT min(start_time) FROM pgtrickle.pgt_refresh_history h"
                    + "  JOIN pgtrickle.pgt_stream_tables s USING (pgt_id)"
                    + "  WHERE s.pgt_name = 'buy_totals' AND h.initiated_by = 'SCHEDULER'"
                    + "  AND h.start_time > '"
                    + marker
                    + "')"))
        .isEqualTo("t");
  }

  @Test
  void tiersStretchTheScheduleAndFrozenIsLeftAlone(TestDatabase db) throws Exception {
    exec("CREATE TABLE t.src (id int PRIMARY KEY, v int)");
    String q = "SELECT id, v FROM t.src";
    for (String name : List.of("hot", "warm", "frozen")) {
      create("t." + name, q, "schedule => '1s', refresh_mode => 'DIFFERENTIAL'");
    }
    api("SELECT pgtrickle.alter_stream_table('t.warm', tier => 'warm')");
    api("SELECT pgtrickle.alter_stream_table('t.frozen', tier => 'frozen')");
    start(db, FAST);
    exec("INSERT INTO t.src SELECT g, g FROM generate_series(1, 10) g");
    Instant marker = now();
    awaitScheduledRefreshAfter("t.hot", marker);
    awaitScheduledRefreshAfter("t.warm", marker);
    StreamTableOracle.assertMatchesQuery(c, "t.hot", q);
    StreamTableOracle.assertMatchesQuery(c, "t.warm", q);
    awaitCount(
        "SELECT count(*) FROM pgtrickle.pgt_refresh_history h JOIN pgtrickle.pgt_stream_tables s"
            + " USING (pgt_id) WHERE s.pgt_name = 'warm' AND h.initiated_by = 'SCHEDULER'",
        4);
    assertThat(minGapMillis("hot")).isGreaterThanOrEqualTo(1000);
    assertThat(minGapMillis("warm")).isGreaterThanOrEqualTo(2000);
    assertThat(
            Sql.scalar(
                c,
                "SELECT count(*) FROM pgtrickle.pgt_refresh_history h"
                    + " JOIN pgtrickle.pgt_stream_tables s USING (pgt_id)"
                    + " WHERE s.pgt_name = 'frozen' AND h.initiated_by = 'SCHEDULER'"))
        .isZero();
    assertThat(Sql.scalar(c, "SELECT count(*) FROM t.frozen")).isZero();
    api("SELECT pgtrickle.refresh_stream_table('t.frozen')"); // manual refresh still works
    StreamTableOracle.assertMatchesQuery(c, "t.frozen", q);
  }

  @Test
  void repeatedFailuresSuspendAndBothResumeCallsBringItBack(TestDatabase db) throws Exception {
    exec("CREATE TABLE t.feed (id int, v int)");
    String q = "SELECT id, v FROM t.feed";
    create("t.mirror", q, "schedule => '1s', refresh_mode => 'FULL'");
    try (Connection listener = db.connect()) {
      exec(listener, "LISTEN pgtrickle_alert; LISTEN pgtrickle_refresh");
      start(db, FAST.withMaxConsecutiveErrors(3));
      for (String resume :
          List.of(
              "SELECT pgtrickle.alter_stream_table('t.mirror', status => 'ACTIVE')",
              "SELECT pgtrickle.resume_stream_table('t.mirror')")) {
        exec("DROP TABLE t.feed");
        awaitCount(
            "SELECT count(*) FROM pgtrickle.pgt_stream_tables WHERE status = 'SUSPENDED'", 1);
        assertThat(
                Sql.string(
                    c,
                    "SELECT consecutive_errors || ' ' || last_error_message FROM pgtrickle.pgt_stream_tables"))
            .startsWith("3 ")
            .contains("t.feed")
            .contains("42P01");
        List<String> alerts = notifications(listener, "pgtrickle_alert", "t.mirror", 1);
        assertThat(alerts.get(0))
            .contains("\"name\" : \"t.mirror\"")
            .contains("SUSPENDED")
            .contains("\"consecutive_errors\" : 3");
        assertThat(notifications(listener, "pgtrickle_refresh", "\"FAILED\"", 3))
            .allSatisfy(n -> assertThat(n).contains("\"name\" : \"t.mirror\"").contains("42P01"));
        Thread.sleep(500); // several ticks: a suspended stream table is not retried
        assertThat(
                Sql.scalar(
                    c,
                    "SELECT count(*) FROM pgtrickle.pgt_refresh_history WHERE status = 'FAILED'"
                        + " AND initiated_by = 'SCHEDULER'"))
            .isEqualTo(resume.contains("alter") ? 3 : 6);

        exec("CREATE TABLE t.feed (id int, v int); INSERT INTO t.feed VALUES (1, 10), (2, 20)");
        Instant marker = now();
        api(resume);
        awaitScheduledRefreshAfter("t.mirror", marker);
        StreamTableOracle.assertMatchesQuery(c, "t.mirror", q);
        assertThat(
                Sql.string(
                    c,
                    "SELECT status || ' ' || consecutive_errors FROM pgtrickle.pgt_stream_tables"))
            .isEqualTo("ACTIVE 0");
        assertThat(notifications(listener, "pgtrickle_refresh", "\"COMPLETED\"", 1).get(0))
            .contains("\"name\" : \"t.mirror\"")
            .contains("\"action\" : \"FULL\"")
            .contains("\"rows\" : ");
        received.clear();
      }
    }
  }

  @Test
  void twoSchedulersOnOneDatabaseNeverRefreshTwice(TestDatabase db) throws Exception {
    exec("CREATE TABLE t.clicks (id bigserial PRIMARY KEY, page int, ms int)");
    Map<String, String> queries = new ConcurrentHashMap<>();
    for (int i = 0; i < 4; i++) {
      String q =
          "SELECT page, count(*) AS n, sum(ms) AS total FROM t.clicks WHERE page % 4 = "
              + i
              + " GROUP BY page";
      queries.put("t.pages" + i, q);
      create("t.pages" + i, q, "schedule => '1s', refresh_mode => 'DIFFERENTIAL'");
    }
    start(db, FAST);
    start(db, FAST);
    long written;
    try (Writer writer =
        new Writer(
            db,
            "INSERT INTO t.clicks (page, ms) SELECT (random() * 20)::int, g"
                + " FROM generate_series(1, 20) g")) {
      awaitCount(
          "SELECT min(n) FROM (SELECT count(*) AS n FROM pgtrickle.pgt_refresh_history"
              + " WHERE initiated_by = 'SCHEDULER' GROUP BY pgt_id) x"
              + " HAVING count(*) = 4",
          4);
      written = writer.rounds();
    }
    Instant marker = now();
    for (String name : queries.keySet()) {
      awaitScheduledRefreshAfter(name, marker);
      StreamTableOracle.assertMatchesQuery(c, name, queries.get(name));
    }
    assertThat(written).isPositive();
    for (int i = 0; i < 4; i++) {
      assertThat(minGapMillis("pages" + i))
          .as("two refreshes of pages%d less than its 1s schedule apart", i)
          .isGreaterThanOrEqualTo(1000);
    }
  }

  @Test
  void atomicDiamondMembersNeverDisagree(TestDatabase db) throws Exception {
    exec("CREATE TABLE t.sales (id bigserial PRIMARY KEY, amount int)");
    String qa = "SELECT id, amount FROM t.sales";
    String qb = "SELECT id, amount * 2 AS doubled FROM t.sales";
    String qd = "SELECT count(*) AS n, sum(a.amount) AS total FROM t.a a JOIN t.b b USING (id)";
    create("t.a", qa, "refresh_mode => 'DIFFERENTIAL'");
    create("t.b", qb, "refresh_mode => 'DIFFERENTIAL'");
    create("t.d", qd, "schedule => '1s', refresh_mode => 'FULL'");
    start(db, FAST);
    try (Writer writer =
        new Writer(db, "INSERT INTO t.sales (amount) SELECT g FROM generate_series(1, 10) g")) {
      Instant end = Instant.now().plusSeconds(4);
      long checks = 0;
      while (Instant.now().isBefore(end)) {
        assertThat(
                Sql.string(
                    c,
                    "SELECT (SELECT coalesce(sum(amount) * 2, 0) FROM t.a)"
                        + " = (SELECT coalesce(sum(doubled), 0) FROM t.b)"))
            .as("a and b were read in one snapshot and must agree")
            .isEqualTo("t");
        checks++;
      }
      assertThat(checks).isPositive();
      assertThat(writer.rounds()).isPositive();
    }
    // A diamond refreshes in one REPEATABLE READ transaction whose snapshot may predate the
    // marker; the second refresh after it began after the first finished.
    awaitScheduledRefreshAfter("t.d", now(), 2);
    StreamTableOracle.assertMatchesQuery(c, "t.a", qa);
    StreamTableOracle.assertMatchesQuery(c, "t.b", qb);
    StreamTableOracle.assertMatchesQuery(c, "t.d", qd);
    assertThat(Sql.scalar(c, "SELECT n FROM t.d")).isPositive();
  }

  // --- helpers ---

  /** Runs one statement over and over on a connection of its own until closed. */
  private static final class Writer implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong rounds = new AtomicLong();
    private final ExecutorService thread = Executors.newSingleThreadExecutor();
    private final Future<?> done;

    Writer(TestDatabase db, String sql) {
      done =
          thread.submit(
              () -> {
                try (Connection w = db.connect()) {
                  while (running.get()) {
                    exec(w, sql);
                    rounds.incrementAndGet();
                  }
                }
                return null;
              });
    }

    long rounds() {
      return rounds.get();
    }

    @Override
    public void close() throws Exception {
      running.set(false);
      try {
        done.get();
      } finally {
        thread.shutdown();
      }
    }
  }

  private void start(TestDatabase db, SchedulerConfig config) {
    schedulers.add(Scheduler.startPooled(db.jdbcUrl(), db.properties(), config));
  }

  private void create(String name, String query, String options) throws SQLException {
    api(
        "SELECT pgtrickle.create_stream_table('"
            + name
            + "', $$"
            + query
            + "$$"
            + (options.isEmpty() ? "" : ", " + options)
            + ")");
  }

  private void api(String sql) throws SQLException {
    ApiExecutor.execute(
        new JdbcSqlSession(c), ApiCallRecognizer.recognize(sql, false).orElseThrow(), List.of());
  }

  private void exec(String sql) throws SQLException {
    exec(c, sql);
  }

  private static void exec(Connection conn, String sql) throws SQLException {
    try (Statement s = conn.createStatement()) {
      s.execute(sql);
    }
  }

  private Instant now() throws SQLException {
    return Instant.parse(
        Sql.string(
            c,
            "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC',"
                + " 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"));
  }

  /** Waits for a scheduled refresh of {@code name} whose statement started after {@code after}. */
  private void awaitScheduledRefreshAfter(String name, Instant after) throws Exception {
    awaitScheduledRefreshAfter(name, after, 1);
  }

  /** Waits for {@code n} scheduled refreshes of {@code name} that started after {@code after}. */
  private void awaitScheduledRefreshAfter(String name, Instant after, int n) throws Exception {
    ScheduledRefreshes.awaitAfter(c, name, after.toString(), n);
  }

  /** Polls until the query's single number reaches {@code atLeast}. */
  private void awaitCount(String query, long atLeast) throws Exception {
    Instant deadline = Instant.now().plus(WAIT);
    while (true) {
      List<String> v = Sql.column(c, query);
      if (!v.isEmpty() && v.get(0) != null && Long.parseLong(v.get(0)) >= atLeast) {
        return;
      }
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError(
            "waited "
                + WAIT
                + " for "
                + query
                + " to reach "
                + atLeast
                + "; last value "
                + v
                + "; history: "
                + Sql.column(
                    c,
                    "SELECT pgt_id || ' ' || initiated_by || ' '"
                        + " || action || ' ' || status || ' ' || coalesce(error_message, '')"
                        + " FROM pgtrickle.pgt_refresh_history ORDER BY refresh_id"));
      }
      Thread.sleep(50);
    }
  }

  /** The shortest time between the data timestamps of consecutive scheduled refreshes. */
  private long minGapMillis(String name) throws SQLException {
    return Sql.scalar(
        c,
        "SELECT coalesce(min(extract(epoch FROM gap) * 1000)::bigint, 999999) FROM ("
            + " SELECT h.data_timestamp - lag(h.data_timestamp) OVER (ORDER BY h.refresh_id) AS gap"
            + " FROM pgtrickle.pgt_refresh_history h JOIN pgtrickle.pgt_stream_tables s USING (pgt_id)"
            + " WHERE s.pgt_name = '"
            + name
            + "' AND h.initiated_by = 'SCHEDULER'"
            + " AND h.status = 'COMPLETED') x");
  }

  /**
   * Waits for {@code n} notifications on {@code channel} whose payload contains {@code text} and
   * returns them; other notifications read meanwhile are kept for later calls.
   */
  private List<String> notifications(Connection listener, String channel, String text, int n)
      throws Exception {
    List<String> out = new ArrayList<>();
    Instant deadline = Instant.now().plus(WAIT);
    PGConnection pg = listener.unwrap(PGConnection.class);
    while (true) {
      for (var it = received.iterator(); it.hasNext() && out.size() < n; ) {
        PGNotification note = it.next();
        if (note.getName().equals(channel) && note.getParameter().contains(text)) {
          out.add(note.getParameter());
          it.remove();
        }
      }
      if (out.size() >= n || Instant.now().isAfter(deadline)) {
        break;
      }
      PGNotification[] got = pg.getNotifications(200);
      if (got != null) {
        received.addAll(List.of(got));
      }
    }
    assertThat(out).as("notifications on " + channel + " with " + text).hasSize(n);
    return out;
  }
}
