package io.pgtrickle.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.util.ResourceLeakDetector;
import io.pgtrickle.server.protocol.LeakCheckExtension;
import io.pgtrickle.testing.PgTest;
import io.pgtrickle.testing.Sql;
import io.pgtrickle.testing.StreamTableOracle;
import io.pgtrickle.testing.TestDatabase;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.postgresql.copy.CopyManager;
import org.postgresql.util.PGobject;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * Plain pgjdbc through the proxy, in each of its query modes, behaves as it does against the
 * database directly, and pg_trickle API calls made through it behave like void functions.
 */
@PgTest
@ExtendWith(LeakCheckExtension.class)
class ProxyJdbcIT {

  /** pgjdbc's ways of speaking the protocol; each test names its objects after the mode. */
  enum Mode {
    SIMPLE("s", "preferQueryMode=simple"),
    EXTENDED("e", "preferQueryMode=extended"),
    EXTENDED_FOR_PREPARED("efp", "preferQueryMode=extendedForPrepared"),
    /** Named server-side statements from the first execution, with binary parameters and rows. */
    NAMED_BINARY("nb", "preferQueryMode=extended&prepareThreshold=1&binaryTransfer=true");

    final String prefix;
    final String urlParameters;

    Mode(String prefix, String urlParameters) {
      this.prefix = prefix;
      this.urlParameters = urlParameters;
    }
  }

  private static TestProxy proxy;

  /** Whether the proxy's upstream is a transaction-pooling PgBouncer (the PgBouncer leg). */
  private static boolean pooled;

  @BeforeAll
  static void startProxy(TestDatabase db) throws Exception {
    proxy = TestProxy.start(db);
    pooled = db.throughPgBouncer();
    // The first API call outside a transaction installs the catalog, which later calls inside
    // transactions need.
    db.execute("CREATE TABLE warmup_src (id int PRIMARY KEY)");
    try (Connection c = proxy.connect();
        Statement st = c.createStatement()) {
      st.execute(
          "SELECT pgtrickle.create_stream_table('warmup_st', $$SELECT id FROM warmup_src$$,"
              + " refresh_mode => 'FULL')");
    }
    db.execute("CREATE TABLE scratch (note text)");
  }

  @AfterAll
  static void stopProxy() {
    if (proxy != null) {
      proxy.close();
    }
  }

  // ---- ordinary statements: the same results as directly ----

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  void valuesOfManyTypesArriveAsTheyDoDirectly(Mode mode, TestDatabase db) throws SQLException {
    String query =
        "SELECT g AS id, g * 1000000000::int8 AS big, (g * 7)::int2 AS small,"
            + " CASE WHEN g <> 2 THEN 12345678901234567890.123456789 * g END AS num,"
            + " g / 3.0::float8 AS dbl, (g / 4.0)::float4 AS flt, g = 1 AS flag,"
            + " CASE WHEN g <> 2 THEN 'grüße, 日本語, 🐘 #' || g END AS txt,"
            + " CASE WHEN g <> 3 THEN decode('00ff5c27' || lpad(to_hex(g), 2, '0'), 'hex') END"
            + " AS bin,"
            + " timestamptz '2024-02-29 23:59:59.123456+01' + g * interval '1 day' AS ts,"
            + " date '2024-02-29' + g AS day, time '12:34:56.5' AS tod,"
            + " interval '1 day 2 hours' * g AS span,"
            + " ARRAY[g, NULL, g * 2] AS ints, ARRAY['ü', NULL, 'a\"b,c', ''] AS texts,"
            + " json_build_object('g', g, 'name', 'ü', 'none', NULL) AS doc,"
            + " '{\"b\": 1, \"a\": [true, null]}'::jsonb AS docb,"
            + " 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid AS uid, NULL::int AS nothing"
            + " FROM generate_series(1, 3) AS g ORDER BY g";
    try (Connection viaProxy = connect(mode);
        Connection direct = direct(db, mode)) {
      List<List<Object>> proxied = readStatement(viaProxy, query);
      assertThat(proxied).isEqualTo(readStatement(direct, query));
      // A prepared statement becomes a named server-side one after prepareThreshold executions.
      for (int i = 0; i < 6; i++) {
        assertThat(readPrepared(viaProxy, query)).isEqualTo(readPrepared(direct, query));
      }

      assertThat(proxied).hasSize(4);
      List<Object> first = proxied.get(1);
      assertThat(first.get(2 * 7 + 1)).isEqualTo("grüße, 日本語, 🐘 #1");
      assertThat(first.get(2 * 8)).isEqualTo("bytes:00ff5c2701");
      assertThat(first.get(2 * 13)).isEqualTo(Arrays.asList(1, null, 2));
      assertThat(first.get(2 * 14)).isEqualTo(Arrays.asList("ü", null, "a\"b,c", ""));
      assertThat((String) first.get(2 * 15 + 1)).contains("\"name\" : \"ü\"");
      List<Object> second = proxied.get(2);
      assertThat(second.get(2 * 3)).isNull();
      assertThat(second.get(2 * 7)).isNull();
      assertThat(proxied.get(3).get(2 * 8)).isNull();
      try (Statement st = viaProxy.createStatement();
          ResultSet rs = st.executeQuery(query)) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getObject("ts", OffsetDateTime.class).toInstant())
            .isEqualTo(Instant.parse("2024-03-01T22:59:59.123456Z"));
        assertThat(rs.getBigDecimal("num"))
            .isEqualByComparingTo(new BigDecimal("12345678901234567890.123456789"));
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  void parametersOfManyTypesRoundTripAsTheyDoDirectly(Mode mode, TestDatabase db)
      throws SQLException {
    String sql =
        "SELECT ?::int4 AS i, ?::int8 AS l, ?::numeric AS n, ?::text AS t, ?::bytea AS b,"
            + " ?::timestamptz AS ts, ?::int4[] AS a, ?::json AS j, ?::text AS nt, ?::bool AS f,"
            + " ?::float8 AS d";
    try (Connection viaProxy = connect(mode);
        Connection direct = direct(db, mode)) {
      for (int i = 0; i < 6; i++) {
        List<List<Object>> proxied = readWithParameters(viaProxy, sql);
        assertThat(proxied).isEqualTo(readWithParameters(direct, sql));
        List<Object> row = proxied.get(1);
        assertThat(row.get(0)).isEqualTo(-7);
        assertThat(row.get(2)).isEqualTo(Long.MAX_VALUE);
        assertThat(row.get(7)).isEqualTo("ä€𝄞 'quoted' \\ back\nslash");
        assertThat(row.get(8)).isEqualTo("bytes:00ff5c27");
        assertThat(row.get(12)).isEqualTo(Arrays.asList(1, null, 3));
        assertThat(row.get(14)).isEqualTo("json:{\"k\": [1, \"ü\", null]}");
        assertThat(row.get(16)).isNull();
        assertThat(row.get(18)).isEqualTo(true);
        assertThat(row.get(20)).isEqualTo(-0.25);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  void updateCountsGeneratedKeysAndReturningMatchDirect(Mode mode, TestDatabase db)
      throws SQLException {
    List<Object> proxied;
    List<Object> directly;
    try (Connection viaProxy = connect(mode);
        Connection direct = direct(db, mode)) {
      proxied = dmlScenario(viaProxy, mode.prefix + "_dml_proxy");
      directly = dmlScenario(direct, mode.prefix + "_dml_direct");
    }
    assertThat(proxied).isEqualTo(directly);
    assertThat(proxied.subList(0, 4)).containsExactly(3, 2, 1, 0);
    assertThat(proxied.get(4)).isEqualTo(List.of(List.of(4, "d"), List.of(5, "e")));
    assertThat(proxied.get(5)).isEqualTo(1);
    assertThat(proxied.get(6)).isEqualTo(List.of(List.of(6)));
  }

  // ---- API calls ----

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  void apiCallsThroughStatementMaintainStreamTables(Mode mode, TestDatabase db)
      throws SQLException {
    String src = mode.prefix + "_stmt_src";
    String diff = mode.prefix + "_stmt_diff";
    String full = mode.prefix + "_stmt_full";
    String diffQuery = "SELECT grp, sum(v) AS total, count(*) AS n FROM " + src + " GROUP BY grp";
    String fullQuery = "SELECT id, v * 2 AS twice FROM " + src + " WHERE v % 3 = 0";
    db.execute("CREATE TABLE " + src + " (id int PRIMARY KEY, grp int NOT NULL, v int)");
    db.execute("INSERT INTO " + src + " SELECT g, g % 4, g FROM generate_series(1, 100) g");

    try (Connection c = connect(mode);
        Statement st = c.createStatement()) {
      assertThat(
              st.execute(
                  "SELECT pgtrickle.create_stream_table('"
                      + diff
                      + "', $$"
                      + diffQuery
                      + "$$, refresh_mode => 'DIFFERENTIAL')"))
          .isTrue();
      assertVoidResult(st.getResultSet(), "create_stream_table");
      assertThat(st.getMoreResults()).isFalse();
      assertThat(st.getUpdateCount()).isEqualTo(-1);
      try (ResultSet rs =
          st.executeQuery(
              "SELECT * FROM pgtrickle.create_stream_table('"
                  + full
                  + "', '"
                  + fullQuery
                  + "', refresh_mode => 'FULL') AS made")) {
        assertVoidResult(rs, "made");
      }
      StreamTableOracle.assertMatchesQuery(c, diff, diffQuery);
      StreamTableOracle.assertMatchesQuery(c, full, fullQuery);

      changeSource(st, src, 101);
      try (ResultSet rs =
          st.executeQuery("SELECT pgtrickle.refresh_stream_table('" + diff + "') AS done")) {
        assertVoidResult(rs, "done");
      }
      try (ResultSet rs =
          st.executeQuery("SELECT pgtrickle.refresh_stream_table('" + full + "');")) {
        assertVoidResult(rs, "refresh_stream_table");
      }
      StreamTableOracle.assertMatchesQuery(c, diff, diffQuery);
      StreamTableOracle.assertMatchesQuery(c, full, fullQuery);
      assertThat(lastAction(c, diff)).isEqualTo("DIFFERENTIAL");
      assertThat(lastAction(c, full)).isEqualTo("FULL");

      try (ResultSet rs =
          st.executeQuery(
              "SELECT pgtrickle.alter_stream_table('"
                  + full
                  + "', refresh_mode => 'DIFFERENTIAL')")) {
        assertVoidResult(rs, "alter_stream_table");
      }
      assertThat(catalogValue(c, full, "refresh_mode")).isEqualTo("DIFFERENTIAL");
      changeSource(st, src, 201);
      st.execute("SELECT pgtrickle.refresh_stream_table('" + full + "')");
      assertThat(lastAction(c, full)).isEqualTo("DIFFERENTIAL");
      StreamTableOracle.assertMatchesQuery(c, full, fullQuery);

      for (String name : List.of(diff, full)) {
        try (ResultSet rs = st.executeQuery("SELECT pgtrickle.drop_stream_table('" + name + "')")) {
          assertVoidResult(rs, "drop_stream_table");
        }
      }
    }
    assertNoStreamTable(db, diff);
    assertNoStreamTable(db, full);
  }

  /** In simple mode pgjdbc inlines each parameter as a parenthesised literal, {@code ('name')}. */
  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  void apiCallsWithParametersMaintainStreamTables(Mode mode, TestDatabase db) throws SQLException {
    String src = mode.prefix + "_ps_src";
    String diff = mode.prefix + "_ps_diff";
    String late = mode.prefix + "_ps_late";
    String diffQuery = "SELECT grp, sum(v) AS total, count(*) AS n FROM " + src + " GROUP BY grp";
    String lateQuery = "SELECT id, grp FROM " + src + " WHERE grp = 1";
    db.execute("CREATE TABLE " + src + " (id int PRIMARY KEY, grp int NOT NULL, v int)");
    db.execute("INSERT INTO " + src + " SELECT g, g % 4, g FROM generate_series(1, 100) g");

    try (Connection c = connect(mode);
        PreparedStatement create =
            c.prepareStatement("SELECT pgtrickle.create_stream_table(?, ?, refresh_mode => ?)");
        PreparedStatement createLater =
            c.prepareStatement(
                "SELECT pgtrickle.create_stream_table(name => ?, query => ?,"
                    + " refresh_mode => 'FULL', initialize => ?)");
        PreparedStatement refresh =
            c.prepareStatement("SELECT pgtrickle.refresh_stream_table(?) AS done");
        PreparedStatement alter =
            c.prepareStatement("SELECT pgtrickle.alter_stream_table(?, refresh_mode => ?)");
        PreparedStatement drop = c.prepareStatement("SELECT pgtrickle.drop_stream_table(?)");
        PreparedStatement insert = c.prepareStatement("INSERT INTO " + src + " VALUES (?, ?, ?)");
        Statement st = c.createStatement()) {
      create.setString(1, diff);
      create.setString(2, diffQuery);
      create.setString(3, "DIFFERENTIAL");
      try (ResultSet rs = create.executeQuery()) {
        assertVoidResult(rs, "create_stream_table");
      }
      createLater.setString(1, late);
      createLater.setString(2, lateQuery);
      createLater.setBoolean(3, false);
      assertThat(createLater.execute()).isTrue();
      assertVoidResult(createLater.getResultSet(), "create_stream_table");
      assertThat(catalogValue(c, late, "is_populated")).isEqualTo("f");
      assertThat(StreamTableOracle.count(c, late)).isZero();

      // Past prepareThreshold, so pgjdbc switches to a named server-side statement.
      for (int round = 0; round < 6; round++) {
        insert.setInt(1, 1000 + round);
        insert.setInt(2, round % 4);
        insert.setInt(3, round * 10);
        assertThat(insert.executeUpdate()).isEqualTo(1);
        st.executeUpdate("DELETE FROM " + src + " WHERE id = " + (round + 1));
        refresh.setString(1, diff);
        try (ResultSet rs = refresh.executeQuery()) {
          assertVoidResult(rs, "done");
        }
        StreamTableOracle.assertMatchesQuery(c, diff, diffQuery);
        assertThat(lastAction(c, diff)).as("round %d", round).isEqualTo("DIFFERENTIAL");
      }

      refresh.setString(1, late);
      refresh.executeQuery().close();
      assertThat(catalogValue(c, late, "is_populated")).isEqualTo("t");
      StreamTableOracle.assertMatchesQuery(c, late, lateQuery);

      alter.setString(1, late);
      alter.setString(2, "DIFFERENTIAL");
      try (ResultSet rs = alter.executeQuery()) {
        assertVoidResult(rs, "alter_stream_table");
      }
      assertThat(catalogValue(c, late, "refresh_mode")).isEqualTo("DIFFERENTIAL");
      insert.setInt(1, 2000);
      insert.setInt(2, 1);
      insert.setInt(3, 5);
      insert.executeUpdate();
      refresh.setString(1, late);
      refresh.executeQuery().close();
      assertThat(lastAction(c, late)).isEqualTo("DIFFERENTIAL");
      StreamTableOracle.assertMatchesQuery(c, late, lateQuery);

      for (String name : List.of(diff, late)) {
        drop.setString(1, name);
        try (ResultSet rs = drop.executeQuery()) {
          assertVoidResult(rs, "drop_stream_table");
        }
      }
    }
    assertNoStreamTable(db, diff);
    assertNoStreamTable(db, late);
  }

  // ---- transactions and errors ----

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  void rolledBackCreateLeavesNothing(Mode mode, TestDatabase db) throws SQLException {
    String name = mode.prefix + "_rolled_back";
    List<String> catalogBefore = catalog(db);
    try (Connection c = connect(mode);
        Statement st = c.createStatement()) {
      c.setAutoCommit(false);
      st.execute(
          "SELECT pgtrickle.create_stream_table('"
              + name
              + "', $$SELECT id FROM warmup_src$$, refresh_mode => 'DIFFERENTIAL')");
      // Visible inside the transaction, so the rollback has something to undo.
      assertThat(Sql.scalar(c, "SELECT count(*) FROM pgtrickle.pgt_stream_tables"))
          .isEqualTo(catalogBefore.size() + 1);
      assertThat(Sql.string(c, "SELECT to_regclass('" + name + "')")).isEqualTo(name);

      c.rollback();

      assertThat(Sql.string(c, "SELECT to_regclass('" + name + "')")).isNull();
    }
    assertThat(catalog(db)).isEqualTo(catalogBefore);
    assertNoStreamTable(db, name);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  void committedCreatePersists(Mode mode, TestDatabase db) throws SQLException {
    String name = mode.prefix + "_committed";
    String query = "SELECT note, count(*) AS n FROM scratch GROUP BY note";
    try (Connection c = connect(mode);
        Statement st = c.createStatement()) {
      c.setAutoCommit(false);
      st.execute("INSERT INTO scratch VALUES ('" + name + "'), ('" + name + "')");
      st.execute(
          "SELECT pgtrickle.create_stream_table('"
              + name
              + "', $$"
              + query
              + "$$, refresh_mode => 'DIFFERENTIAL')");
      try (Connection other = db.connect()) {
        assertThat(Sql.string(other, "SELECT to_regclass('" + name + "')")).isNull();
      }

      c.commit();
    }
    try (Connection other = db.connect()) {
      assertThat(Sql.scalar(other, "SELECT n FROM " + name + " WHERE note = '" + name + "'"))
          .isEqualTo(2);
      StreamTableOracle.assertMatchesQuery(other, name, query);
      assertThat(catalogValue(other, name, "status")).isEqualTo("ACTIVE");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  void apiErrorAbortsTheTransaction(Mode mode, TestDatabase db) throws SQLException {
    String note = mode.prefix + " before the failed refresh";
    try (Connection c = connect(mode);
        Statement st = c.createStatement();
        PreparedStatement refresh =
            c.prepareStatement("SELECT pgtrickle.refresh_stream_table(?)")) {
      c.setAutoCommit(false);
      st.execute("INSERT INTO scratch VALUES ('" + note + "')");
      SQLException e =
          catchThrowableOfType(
              SQLException.class,
              () -> st.execute("SELECT pgtrickle.refresh_stream_table('no_such_st')"));
      assertThat(e.getSQLState()).as(e.getMessage()).isEqualTo("42P01");
      assertThat(e.getMessage()).contains("no_such_st");
      assertInFailedTransaction(c);
      c.rollback();

      if (mode != Mode.SIMPLE) {
        // The same through a parameter: the extended protocol's error path.
        st.execute("INSERT INTO scratch VALUES ('" + note + "')");
        refresh.setString(1, "no_such_st_either");
        SQLException p = catchThrowableOfType(SQLException.class, refresh::executeQuery);
        assertThat(p.getSQLState()).as(p.getMessage()).isEqualTo("42P01");
        assertThat(p.getMessage()).contains("no_such_st_either");
        assertInFailedTransaction(c);
        c.rollback();
      }

      assertThat(Sql.scalar(c, "SELECT count(*) FROM scratch WHERE note = '" + note + "'"))
          .isZero();
      // The connection is fine, in and out of transactions.
      assertThat(Sql.scalar(c, "SELECT 41 + 1")).isEqualTo(42);
      c.setAutoCommit(true);
      assertThat(Sql.scalar(c, "SELECT 41 + 1")).isEqualTo(42);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  void errorsCarryStateMessageAndHint(Mode mode, TestDatabase db) throws SQLException {
    try (Connection c = connect(mode);
        Connection direct = direct(db, mode)) {
      ServerErrorMessage api =
          serverError(
              c,
              "SELECT pgtrickle.create_stream_table('bogus_st', $$SELECT 1 AS one$$, bogus => 1)");
      assertThat(api.getSQLState()).isEqualTo("42883");
      assertThat(api.getMessage()).contains("bogus");
      assertThat(api.getHint()).contains("refresh_mode");
      assertThat(api.getSeverity()).isEqualTo("ERROR");
      assertThat(Sql.scalar(c, "SELECT 1")).isEqualTo(1);

      // Errors of the server's pass through untouched.
      for (String sql :
          List.of("SELECT lower(1)", "SELECT 1 / 0", "SELECT * FROM no_such_table_here")) {
        ServerErrorMessage proxied = serverError(c, sql);
        ServerErrorMessage directly = serverError(direct, sql);
        assertThat(proxied.toString()).isEqualTo(directly.toString());
        assertThat(proxied.getSQLState()).isEqualTo(directly.getSQLState()).isNotNull();
        assertThat(proxied.getHint()).isEqualTo(directly.getHint());
        assertThat(proxied.getPosition()).isEqualTo(directly.getPosition());
      }
      assertThat(serverError(c, "SELECT lower(1)").getHint()).contains("explicit type casts");
    }
  }

  // ---- batches ----

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  void failingStatementBatchBehavesAsDirectly(Mode mode, TestDatabase db) throws SQLException {
    for (boolean autoCommit : List.of(false, true)) {
      String suffix = autoCommit ? "_auto" : "_tx";
      List<Object> proxied;
      List<Object> directly;
      try (Connection viaProxy = connect(mode);
          Connection direct = direct(db, mode)) {
        proxied = batchScenario(viaProxy, mode.prefix + "_batch_proxy" + suffix, autoCommit);
        directly = batchScenario(direct, mode.prefix + "_batch_direct" + suffix, autoCommit);
      }
      assertThat(proxied).as("autocommit %s", autoCommit).isEqualTo(directly);
      assertThat(proxied.get(1)).isEqualTo("23505");
      if (!autoCommit) {
        assertThat(proxied.get(2)).isEqualTo("25P02");
        assertThat(proxied.get(3)).as("ids after rollback").isNull();
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  void preparedBatchOfAThousandInserts(Mode mode, TestDatabase db) throws SQLException {
    String summary =
        "SELECT count(*), sum(id), sum(length(label)), md5(string_agg(id || label ||"
            + " encode(data, 'hex'), ',' ORDER BY id))";
    List<Object> proxied;
    List<Object> directly;
    try (Connection viaProxy = connect(mode);
        Connection direct = direct(db, mode)) {
      proxied = insertThousand(viaProxy, mode.prefix + "_thousand_proxy", summary);
      directly = insertThousand(direct, mode.prefix + "_thousand_direct", summary);
    }
    assertThat(proxied).isEqualTo(directly);
    assertThat(proxied.get(0)).as("distinct update counts").isEqualTo(List.of(1));
    assertThat(proxied.get(1)).isEqualTo("1000");
    assertThat(proxied.get(2)).isEqualTo(Integer.toString(1000 * 1001 / 2));
  }

  // ---- COPY, notifications, cancel ----

  /** pgjdbc starts every COPY with a simple Query, whatever its mode, so one mode is enough. */
  @Test
  void copyInAndOutOfAHundredThousandRows(TestDatabase db) throws Exception {
    Mode mode = Mode.EXTENDED;
    int rows = 100_000;
    StringBuilder text = new StringBuilder();
    for (int i = 1; i <= rows; i++) {
      text.append(i)
          .append('\t')
          .append(i % 10 == 0 ? "\\N" : "zeile " + i + " ü€ \\\\ tab\\t")
          .append('\t')
          .append(i * 0.5)
          .append('\n');
    }
    byte[] input = text.toString().getBytes(StandardCharsets.UTF_8);
    String proxyTable = mode.prefix + "_copy_proxy";
    String directTable = mode.prefix + "_copy_direct";
    for (String t : List.of(proxyTable, directTable)) {
      db.execute("CREATE TABLE " + t + " (id int PRIMARY KEY, label text, half numeric)");
    }

    try (Connection viaProxy = connect(mode);
        Connection direct = direct(db, mode)) {
      CopyManager proxyCopy = viaProxy.unwrap(PGConnection.class).getCopyAPI();
      CopyManager directCopy = direct.unwrap(PGConnection.class).getCopyAPI();
      assertThat(
              proxyCopy.copyIn(
                  "COPY " + proxyTable + " FROM STDIN", new ByteArrayInputStream(input)))
          .isEqualTo(rows);
      assertThat(
              directCopy.copyIn(
                  "COPY " + directTable + " FROM STDIN", new ByteArrayInputStream(input)))
          .isEqualTo(rows);

      byte[] outViaProxy = copyOut(proxyCopy, proxyTable);
      assertThat(outViaProxy).isEqualTo(input);
      assertThat(copyOut(directCopy, directTable)).isEqualTo(input);
      assertThat(copyOut(directCopy, proxyTable)).isEqualTo(input);

      // A bad row fails the COPY as directly, and the connection goes on.
      byte[] bad = "1\tok\t1\nnot a number\tx\t2\n".getBytes(StandardCharsets.UTF_8);
      SQLException proxied =
          catchThrowableOfType(
              SQLException.class,
              () ->
                  proxyCopy.copyIn(
                      "COPY " + proxyTable + " FROM STDIN", new ByteArrayInputStream(bad)));
      SQLException directly =
          catchThrowableOfType(
              SQLException.class,
              () ->
                  directCopy.copyIn(
                      "COPY " + directTable + " FROM STDIN", new ByteArrayInputStream(bad)));
      assertThat(proxied.getSQLState()).isEqualTo(directly.getSQLState()).isEqualTo("22P02");
      // The context names the table, which differs; the primary message must not.
      assertThat(((PSQLException) proxied).getServerErrorMessage().getMessage())
          .isEqualTo(((PSQLException) directly).getServerErrorMessage().getMessage());
      assertThat(Sql.scalar(viaProxy, "SELECT count(*) FROM " + proxyTable)).isEqualTo(rows);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  void notificationsReachAListenerThroughTheProxy(Mode mode, TestDatabase db) throws Exception {
    assumeFalse(pooled, "LISTEN needs a session; transaction pooling cannot deliver notifications");
    String channel = mode.prefix + "_events";
    try (Connection listener = connect(mode);
        Connection notifier = connect(mode);
        Statement ls = listener.createStatement();
        Statement ns = notifier.createStatement()) {
      ls.execute("LISTEN " + channel);
      int notifierPid = (int) Sql.scalar(notifier, "SELECT pg_backend_pid()");

      ns.execute("NOTIFY " + channel + ", 'hello ü'");
      notifier.setAutoCommit(false);
      try (PreparedStatement ps = notifier.prepareStatement("SELECT pg_notify(?, ?)")) {
        ps.setString(1, channel);
        ps.setString(2, "in a transaction");
        ps.executeQuery().close();
      }
      ns.execute("NOTIFY " + channel + ", 'rolled back'");
      notifier.rollback();
      ns.execute("NOTIFY " + channel + ", 'committed'");
      notifier.commit();

      List<String> received = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      PGConnection pg = listener.unwrap(PGConnection.class);
      while (received.size() < 2 && System.nanoTime() < deadline) {
        PGNotification[] got = pg.getNotifications(1000);
        for (PGNotification n : got == null ? new PGNotification[0] : got) {
          assertThat(n.getName()).isEqualTo(channel);
          assertThat(n.getPID()).isEqualTo(notifierPid);
          received.add(n.getParameter());
        }
      }
      assertThat(received).containsExactly("hello ü", "committed");
      // Nothing else is pending: the rolled-back notifications were never sent.
      assertThat(pg.getNotifications(200)).isNullOrEmpty();

      // A notification that arrives while the proxy runs an API call for the listener's session.
      ns.execute("NOTIFY " + channel + ", 'during refresh'");
      notifier.commit();
      ls.execute("SELECT pgtrickle.refresh_stream_table('warmup_st')");
      PGNotification[] late = pg.getNotifications(5000);
      assertThat(late).extracting(PGNotification::getParameter).containsExactly("during refresh");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  void cancelStopsALongQueryAndTheConnectionGoesOn(Mode mode, TestDatabase db) throws Exception {
    try (Connection c = connect(mode);
        Statement st = c.createStatement();
        Connection watcher = db.connect()) {
      // Behind transaction pooling each transaction may run on another backend: 0 matches any.
      long pid = pooled ? 0 : Sql.scalar(c, "SELECT pg_backend_pid()");
      CompletableFuture<Throwable> sleeping =
          CompletableFuture.supplyAsync(
              () -> catchThrowable(() -> st.execute("SELECT pg_sleep(30)")));
      // Cancel only once the server runs the query, or the cancel would find nothing to stop.
      awaitActive(watcher, pid, "SELECT pg_sleep(30)");

      long cancelled = System.nanoTime();
      st.cancel();

      // Without the cancel the query would take 30 s; get() throws after 5.
      Throwable t = sleeping.get(5, TimeUnit.SECONDS);
      assertThat(Duration.ofNanos(System.nanoTime() - cancelled)).isLessThan(Duration.ofSeconds(5));
      assertThat(t).isInstanceOf(SQLException.class);
      assertThat(((SQLException) t).getSQLState()).isEqualTo("57014");
      if (!pooled) {
        assertThat(Sql.scalar(c, "SELECT pg_backend_pid()")).isEqualTo(pid);
      }
      assertThat(Sql.scalar(c, "SELECT 6 * 7")).isEqualTo(42);
    }
  }

  // ---- large results ----

  @ParameterizedTest(name = "{0}")
  @EnumSource(
      value = Mode.class,
      names = {"EXTENDED", "NAMED_BINARY"})
  void twoMillionRowsFetchedInBatchesArriveIntact(Mode mode) throws Exception {
    int rows = 2_000_000;
    ResourceLeakDetector.Level level = sampleLeaks();
    try (Connection c = connect(mode)) {
      c.setAutoCommit(false);
      try (PreparedStatement ps =
          c.prepareStatement("SELECT i, md5(i::text) FROM generate_series(1, ?) AS i")) {
        ps.setFetchSize(1000);
        ps.setInt(1, rows);
        long count = 0;
        long sum = 0;
        try (ResultSet rs = ps.executeQuery()) {
          MessageDigest md5 = MessageDigest.getInstance("MD5");
          HexFormat hex = HexFormat.of();
          while (rs.next()) {
            long i = rs.getLong(1);
            count++;
            if (i != count) {
              assertThat(i).as("row %d", count).isEqualTo(count);
            }
            sum += i;
            String expected =
                hex.formatHex(md5.digest(Long.toString(i).getBytes(StandardCharsets.US_ASCII)));
            if (!expected.equals(rs.getString(2))) {
              assertThat(rs.getString(2)).as("md5 of row %d", i).isEqualTo(expected);
            }
          }
        }
        assertThat(count).isEqualTo(rows);
        assertThat(sum).isEqualTo((long) rows * (rows + 1) / 2);
      }
      c.commit();
      assertThat(Sql.scalar(c, "SELECT 1")).isEqualTo(1);
    } finally {
      ResourceLeakDetector.setLevel(level);
    }
  }

  @Test
  void hundredsOfMegabytesReadSlowlyArriveIntactWithoutFillingTheProxy() throws Exception {
    int rows = 300_000;
    int repeats = 32; // 32 md5s of 32 characters: 1 KiB a row, 300 MiB in all
    long bytesPerSecond = 64L * 1024 * 1024;
    AtomicLong peak = new AtomicLong();
    ByteBufAllocatorMetric metric =
        ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric();
    ResourceLeakDetector.Level level = sampleLeaks();
    ExecutorService sampler = Executors.newSingleThreadExecutor();
    Future<?> sampling =
        sampler.submit(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                peak.accumulateAndGet(
                    metric.usedDirectMemory() + metric.usedHeapMemory(), Math::max);
                try {
                  Thread.sleep(20);
                } catch (InterruptedException e) {
                  return;
                }
              }
            });
    try (Connection c =
            proxy.connect(
                "socketFactory="
                    + ThrottledSocketFactory.class.getName()
                    + "&socketFactoryArg="
                    + bytesPerSecond);
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT i, repeat(md5(i::text), "
                    + repeats
                    + ") FROM generate_series(1, "
                    + rows
                    + ") AS i")) {
      MessageDigest md5 = MessageDigest.getInstance("MD5");
      HexFormat hex = HexFormat.of();
      long count = 0;
      long bytes = 0;
      while (rs.next()) {
        int i = rs.getInt(1);
        count++;
        if (i != count) {
          assertThat(i).as("row %d", count).isEqualTo(count);
        }
        String value = rs.getString(2);
        bytes += value.length();
        String expected =
            hex.formatHex(md5.digest(Integer.toString(i).getBytes(StandardCharsets.US_ASCII)))
                .repeat(repeats);
        if (!expected.equals(value)) {
          assertThat(value).as("row %d", i).isEqualTo(expected);
        }
      }
      assertThat(count).isEqualTo(rows);
      assertThat(bytes).isEqualTo((long) rows * repeats * 32);
    } finally {
      sampling.cancel(true);
      sampler.shutdown();
      ResourceLeakDetector.setLevel(level);
    }
    // The server sends faster than the client reads: the proxy must hold back rather than buffer
    // (it relays with well under 8 MiB; a decoder whose cumulation grew reached 75 to 240 MiB).
    assertThat(peak.get()).as("proxy buffer memory at its peak").isLessThan(32L * 1024 * 1024);
  }

  // ---- several sessions at once ----

  @Test
  void eightSessionsMaintainTheirStreamTablesConcurrently(TestDatabase db) throws Exception {
    int sessions = 8;
    ExecutorService pool = Executors.newFixedThreadPool(sessions);
    try {
      List<Future<String>> results = new ArrayList<>();
      for (int i = 0; i < sessions; i++) {
        int session = i;
        results.add(pool.submit(() -> concurrentSession(session)));
      }
      for (int i = 0; i < sessions; i++) {
        assertThat(results.get(i).get(180, TimeUnit.SECONDS)).isEqualTo("conc_" + i + " done");
      }
    } finally {
      pool.shutdownNow();
    }
    try (Connection c = db.connect()) {
      assertThat(
              Sql.scalar(
                  c,
                  "SELECT count(*) FROM pgtrickle.pgt_stream_tables WHERE pgt_name LIKE 'conc%'"))
          .isEqualTo(sessions);
    }
  }

  /** One session's work: its own source and stream table, DML and refreshes, some in a block. */
  private static String concurrentSession(int session) throws SQLException {
    List<Mode> modes = pooledModes();
    Mode mode = modes.get(session % modes.size());
    String src = "conc_src_" + session;
    String name = "conc_" + session;
    String query = "SELECT k, count(*) AS n, sum(v) AS total FROM " + src + " GROUP BY k";
    Random random = new Random(session);
    try (Connection c = connect(mode);
        Statement st = c.createStatement();
        PreparedStatement refresh =
            c.prepareStatement("SELECT pgtrickle.refresh_stream_table(?)")) {
      st.execute("CREATE TABLE " + src + " (id int PRIMARY KEY, k int, v int)");
      st.execute("INSERT INTO " + src + " SELECT g, g % 5, g FROM generate_series(1, 200) g");
      st.execute(
          "SELECT pgtrickle.create_stream_table('"
              + name
              + "', $$"
              + query
              + "$$, refresh_mode => 'DIFFERENTIAL')");
      refresh.setString(1, name);
      for (int round = 0; round < 5; round++) {
        boolean inBlock = round % 2 == 1;
        c.setAutoCommit(!inBlock);
        st.executeUpdate(
            "INSERT INTO "
                + src
                + " SELECT g, g % 7, g FROM generate_series("
                + (1000 + round * 100)
                + ", "
                + (1000 + round * 100 + random.nextInt(50))
                + ") g");
        st.executeUpdate(
            "UPDATE " + src + " SET v = v + " + random.nextInt(100) + " WHERE id % 9 = " + round);
        st.executeUpdate("DELETE FROM " + src + " WHERE id % 13 = " + round);
        if (mode == Mode.SIMPLE) {
          st.executeQuery("SELECT pgtrickle.refresh_stream_table('" + name + "')").close();
        } else {
          refresh.executeQuery().close();
        }
        StreamTableOracle.assertMatchesQuery(c, name, query);
        if (inBlock) {
          c.commit();
        }
        assertThat(lastAction(c, name)).isEqualTo("DIFFERENTIAL");
      }
      c.setAutoCommit(true);
      StreamTableOracle.assertMatchesQuery(c, name, query);
    }
    return name + " done";
  }

  // ---- scenarios run both through the proxy and directly ----

  private static List<Object> dmlScenario(Connection c, String table) throws SQLException {
    List<Object> seen = new ArrayList<>();
    try (Statement st = c.createStatement()) {
      st.execute("CREATE TABLE " + table + " (id serial PRIMARY KEY, label text, n int)");
      seen.add(
          st.executeUpdate(
              "INSERT INTO " + table + " (label, n) VALUES ('a', 1), ('b', 2), ('c', 3)"));
      seen.add(st.executeUpdate("UPDATE " + table + " SET n = n + 10 WHERE n >= 2"));
      seen.add(st.executeUpdate("DELETE FROM " + table + " WHERE label = 'a'"));
      seen.add(st.executeUpdate("UPDATE " + table + " SET n = 0 WHERE false"));
      st.executeUpdate(
          "INSERT INTO " + table + " (label, n) VALUES ('d', 4), ('e', 5)",
          Statement.RETURN_GENERATED_KEYS);
      seen.add(pairs(st.getGeneratedKeys(), "id", "label"));
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO " + table + " (label, n) VALUES (?, ?)", new String[] {"id"})) {
      ps.setString(1, "f");
      ps.setInt(2, 6);
      seen.add(ps.executeUpdate());
      try (ResultSet keys = ps.getGeneratedKeys()) {
        List<Object> ids = new ArrayList<>();
        while (keys.next()) {
          ids.add(List.of(keys.getInt(1)));
        }
        seen.add(ids);
      }
    }
    try (Statement st = c.createStatement()) {
      try (ResultSet rs =
          st.executeQuery(
              "INSERT INTO " + table + " (label, n) VALUES ('g', 7) RETURNING id, label, n * 2")) {
        seen.add(ResultRows.read(rs));
      }
      try (ResultSet rs =
          st.executeQuery(
              "UPDATE " + table + " SET label = upper(label) WHERE n > 10 RETURNING id, label")) {
        seen.add(ResultRows.read(rs));
      }
      // Several statements in one string: pgjdbc sends them in one Query or one Sync.
      boolean isResult =
          st.execute(
              "INSERT INTO "
                  + table
                  + " (label, n) VALUES ('h', 8); DELETE FROM "
                  + table
                  + " WHERE n = 8; SELECT count(*) FROM "
                  + table);
      List<Object> results = new ArrayList<>();
      while (isResult || st.getUpdateCount() != -1) {
        if (isResult) {
          try (ResultSet rs = st.getResultSet()) {
            results.add(ResultRows.read(rs));
          }
        } else {
          results.add(st.getUpdateCount());
        }
        isResult = st.getMoreResults();
      }
      seen.add(results);
      try (ResultSet rs = st.executeQuery("SELECT * FROM " + table + " ORDER BY id")) {
        seen.add(ResultRows.read(rs));
      }
    }
    return seen;
  }

  private static List<Object> pairs(ResultSet rs, String first, String second) throws SQLException {
    List<Object> out = new ArrayList<>();
    try (rs) {
      while (rs.next()) {
        out.add(List.of(rs.getObject(first), rs.getObject(second)));
      }
    }
    return out;
  }

  private static List<Object> batchScenario(Connection c, String table, boolean autoCommit)
      throws SQLException {
    List<Object> seen = new ArrayList<>();
    try (Statement st = c.createStatement()) {
      st.execute("CREATE TABLE " + table + " (id int PRIMARY KEY)");
      c.setAutoCommit(autoCommit);
      for (int id : new int[] {1, 2, 1, 3}) {
        st.addBatch("INSERT INTO " + table + " VALUES (" + id + ")");
      }
      BatchUpdateException e = catchThrowableOfType(BatchUpdateException.class, st::executeBatch);
      seen.add(Arrays.toString(e.getUpdateCounts()));
      seen.add(e.getSQLState());
      if (!autoCommit) {
        seen.add(((SQLException) catchThrowable(() -> Sql.scalar(c, "SELECT 1"))).getSQLState());
        c.rollback();
        c.setAutoCommit(true);
      }
      seen.add(Sql.string(c, "SELECT array_agg(id ORDER BY id) FROM " + table));
    }
    return seen;
  }

  private static List<Object> insertThousand(Connection c, String table, String summary)
      throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, label text, data bytea)");
    }
    List<Object> seen = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " VALUES (?, ?, ?)")) {
      for (int i = 1; i <= 1000; i++) {
        ps.setInt(1, i);
        ps.setString(2, "row " + i + " ü");
        ps.setBytes(3, new byte[] {(byte) i, (byte) (i >> 8), 0, -1});
        ps.addBatch();
      }
      int[] counts = ps.executeBatch();
      seen.add(Arrays.stream(counts).distinct().boxed().toList());
    }
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(summary + " FROM " + table)) {
      rs.next();
      for (int i = 1; i <= 4; i++) {
        seen.add(rs.getString(i));
      }
    }
    return seen;
  }

  // ---- helpers ----

  /**
   * Lowers Netty's leak detection from PARANOID to SIMPLE for a test that relays millions of
   * frames, and returns the level to restore: PARANOID records a stack trace at every access to
   * every frame, which turns a minute into several, while the other tests cover the same code at
   * PARANOID. SIMPLE still reports leaks, from a sample of the buffers.
   */
  private static ResourceLeakDetector.Level sampleLeaks() {
    ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
    return level;
  }

  private static Connection direct(TestDatabase db, Mode mode) throws SQLException {
    return DriverManager.getConnection(db.jdbcUrl() + "?" + mode.urlParameters, db.properties());
  }

  private static List<List<Object>> readStatement(Connection c, String query) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(query)) {
      return ResultRows.read(rs);
    }
  }

  private static List<List<Object>> readPrepared(Connection c, String query) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(query);
        ResultSet rs = ps.executeQuery()) {
      return ResultRows.read(rs);
    }
  }

  private static List<List<Object>> readWithParameters(Connection c, String sql)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setInt(1, -7);
      ps.setLong(2, Long.MAX_VALUE);
      ps.setBigDecimal(3, new BigDecimal("-12345678901234567890.000000001"));
      ps.setString(4, "ä€𝄞 'quoted' \\ back\nslash");
      ps.setBytes(5, new byte[] {0, -1, 92, 39});
      ps.setObject(6, OffsetDateTime.parse("2024-02-29T23:59:59.123456+01:00"));
      ps.setArray(7, c.createArrayOf("int4", new Integer[] {1, null, 3}));
      PGobject json = new PGobject();
      json.setType("json");
      json.setValue("{\"k\": [1, \"ü\", null]}");
      ps.setObject(8, json);
      ps.setNull(9, Types.VARCHAR);
      ps.setBoolean(10, true);
      ps.setDouble(11, -0.25);
      try (ResultSet rs = ps.executeQuery()) {
        return ResultRows.read(rs);
      }
    }
  }

  /** Inserts from {@code firstId} on, updates and deletes some of a source table's rows. */
  private static void changeSource(Statement st, String src, int firstId) throws SQLException {
    assertThat(
            st.executeUpdate(
                "INSERT INTO "
                    + src
                    + " SELECT g, g % 4, g FROM generate_series("
                    + firstId
                    + ", "
                    + (firstId + 19)
                    + ") g"))
        .isEqualTo(20);
    assertThat(st.executeUpdate("UPDATE " + src + " SET v = v + 1 WHERE id % 5 = 0")).isPositive();
    assertThat(st.executeUpdate("DELETE FROM " + src + " WHERE id % 7 = " + firstId % 7))
        .isPositive();
  }

  /** The reply of a void function: one row, one {@code void} column, value NULL. */
  private static void assertVoidResult(ResultSet rs, String column) throws SQLException {
    try (rs) {
      ResultSetMetaData md = rs.getMetaData();
      assertThat(md.getColumnCount()).isEqualTo(1);
      assertThat(md.getColumnLabel(1)).isEqualTo(column);
      assertThat(md.getColumnTypeName(1)).isEqualTo("void");
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isNull();
      assertThat(rs.wasNull()).isTrue();
      assertThat(rs.next()).isFalse();
    }
  }

  private static String lastAction(Connection c, String name) throws SQLException {
    return Sql.string(
        c,
        "SELECT h.action FROM pgtrickle.pgt_refresh_history h"
            + " JOIN pgtrickle.pgt_stream_tables s USING (pgt_id) WHERE s.pgt_name = '"
            + name
            + "' ORDER BY h.refresh_id DESC LIMIT 1");
  }

  private static String catalogValue(Connection c, String name, String column) throws SQLException {
    return Sql.string(
        c,
        "SELECT " + column + " FROM pgtrickle.pgt_stream_tables WHERE pgt_name = '" + name + "'");
  }

  private static List<String> catalog(TestDatabase db) throws SQLException {
    try (Connection c = db.connect()) {
      return Sql.column(c, "SELECT pgt_name FROM pgtrickle.pgt_stream_tables ORDER BY pgt_id");
    }
  }

  private static void assertNoStreamTable(TestDatabase db, String name) throws SQLException {
    try (Connection c = db.connect()) {
      assertThat(Sql.string(c, "SELECT to_regclass('" + name + "')")).isNull();
      assertThat(
              Sql.scalar(
                  c,
                  "SELECT count(*) FROM pgtrickle.pgt_stream_tables WHERE pgt_name = '"
                      + name
                      + "'"))
          .isZero();
    }
  }

  private static void assertInFailedTransaction(Connection c) {
    Throwable next = catchThrowable(() -> Sql.scalar(c, "SELECT 1"));
    assertThat(next).as("statement after the failed call").isInstanceOf(SQLException.class);
    assertThat(((SQLException) next).getSQLState()).isEqualTo("25P02");
  }

  private static ServerErrorMessage serverError(Connection c, String sql) {
    Throwable t = catchThrowable(() -> Sql.column(c, sql));
    assertThat(t).as("error of %s", sql).isInstanceOf(PSQLException.class);
    ServerErrorMessage m = ((PSQLException) t).getServerErrorMessage();
    assertThat(m).as("server error of %s", sql).isNotNull();
    return m;
  }

  private static byte[] copyOut(CopyManager copy, String table) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long rows = copy.copyOut("COPY (SELECT * FROM " + table + " ORDER BY id) TO STDOUT", out);
    assertThat(rows).isPositive();
    return out.toByteArray();
  }

  /** Waits until {@code pid} runs {@code query}, as {@code pg_stat_activity} shows. */
  /**
   * A connection through the proxy in {@code mode}. Behind a transaction-pooling PgBouncer a named
   * statement lives on one server connection and the next transaction may run on another, so
   * NAMED_BINARY is not a supported setup there (users set {@code prepareThreshold=0}; see
   * docs/PGBOUNCER.md): the test is skipped in that mode.
   */
  private static Connection connect(Mode mode) throws SQLException {
    assumeFalse(
        pooled && mode == Mode.NAMED_BINARY,
        "named statements across transactions do not survive transaction pooling");
    return proxy.connect(mode.urlParameters);
  }

  /** The modes that a client behind the proxy's upstream can use. */
  private static List<Mode> pooledModes() {
    return java.util.Arrays.stream(Mode.values())
        .filter(m -> !(pooled && m == Mode.NAMED_BINARY))
        .toList();
  }

  private static void awaitActive(Connection watcher, long pid, String query) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    try (PreparedStatement ps =
        watcher.prepareStatement(
            "SELECT count(*) FROM pg_stat_activity WHERE (pid = ? OR ? = 0) AND state = 'active'"
                + " AND query = ?")) {
      ps.setInt(1, (int) pid);
      ps.setInt(2, (int) pid);
      ps.setString(3, query);
      while (System.nanoTime() < deadline) {
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          if (rs.getLong(1) == 1) {
            return;
          }
        }
        Thread.sleep(20);
      }
    }
    throw new AssertionError("backend " + pid + " never started " + query);
  }
}
