package io.pgtrickle.server;

import static io.pgtrickle.server.FaultAssertions.assertConnectionLost;
import static io.pgtrickle.server.FaultAssertions.assertEndedByServer;
import static io.pgtrickle.server.FaultAssertions.assertSingleFatal;
import static io.pgtrickle.server.RawClient.bytes;
import static io.pgtrickle.server.RawClient.message;
import static io.pgtrickle.server.RawClient.queryMessage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import io.pgtrickle.engine.catalog.CatalogMigrator;
import io.pgtrickle.engine.session.JdbcSqlSession;
import io.pgtrickle.server.RawClient.Message;
import io.pgtrickle.server.protocol.LeakCheckExtension;
import io.pgtrickle.server.protocol.MessageTags;
import io.pgtrickle.testing.PgTest;
import io.pgtrickle.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Broken input, vanishing clients and a failing upstream end only the session they hit, with a
 * PostgreSQL error the client can read, no upstream backend left behind, nothing half-committed,
 * and the proxy serving every other connection as before.
 */
@PgTest
@ExtendWith(LeakCheckExtension.class)
class ProxyFaultIT {
  /** Small enough to exceed cheaply, large enough for every message these tests send. */
  private static final int MAX_FRAME = 8192;

  private static final AtomicInteger SESSIONS = new AtomicInteger();

  private TestDatabase db;
  private TestProxy proxy;
  private Connection admin;
  private Connection bystander;
  private String app;

  @BeforeAll
  static void createTables(TestDatabase db) throws SQLException {
    db.execute("CREATE TABLE copy_target (id int, v text)");
    db.execute("CREATE TABLE api_source (id int PRIMARY KEY, v int)");
    db.execute("INSERT INTO api_source SELECT g, g * 10 FROM generate_series(1, 5) g");
    // Inside a transaction block the proxy would not install it.
    try (Connection c = db.connect()) {
      CatalogMigrator.migrate(new JdbcSqlSession(c));
    }
  }

  @BeforeEach
  void start(TestDatabase db, TestInfo test) throws Exception {
    this.db = db;
    app = ("pf" + SESSIONS.incrementAndGet() + "_" + test.getTestMethod().orElseThrow().getName());
    app = app.substring(0, Math.min(app.length(), 60));
    proxy = TestProxy.start(db, config -> config.withMaxFrameLength(MAX_FRAME));
    admin = db.connect();
    // Opened before the fault, mid-transaction, to show the fault leaves its session intact.
    bystander = connectThroughProxy("");
    bystander.setAutoCommit(false);
    try (Statement s = bystander.createStatement()) {
      s.execute("CREATE TEMP TABLE witness (n int)");
      s.execute("INSERT INTO witness VALUES (1)");
    }
  }

  @AfterEach
  void stop() throws SQLException {
    try {
      bystander.close();
      admin.close();
    } finally {
      proxy.close();
    }
  }

  // ---- malformed input ----

  static Stream<Arguments> malformedFrames() {
    return Stream.of(
        Arguments.of("negative length", bytes().int8('Q').int32(-1).build()),
        Arguments.of("length below 4", bytes().int8('Q').int32(3).build()),
        Arguments.of("length over the maximum", bytes().int8('Q').int32(MAX_FRAME + 1).build()),
        Arguments.of("huge length", bytes().int8('P').int32(Integer.MAX_VALUE).build()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformedFrames")
  void malformedFrameAfterLoginIsProtocolViolation(String name, byte[] frame) throws Exception {
    try (RawClient client = login()) {
      client.send(frame);

      List<Message> reply = client.readUntilClosed();

      assertSingleFatal(reply, "08P01");
      assertThat(reply.get(0).fields().get('M')).contains("invalid length");
    }
    awaitBackendGone();
    assertOthersUnharmed();
  }

  @Test
  void frameOfExactlyTheMaximumLengthPasses() throws Exception {
    // Length field = 4 (itself) + SQL text + terminating zero.
    String prefix = "SELECT length('";
    String suffix = "')";
    int padding = MAX_FRAME - 4 - 1 - prefix.length() - suffix.length();
    String sql = prefix + "x".repeat(padding) + suffix;
    byte[] query = queryMessage(sql);
    assertThat(query).hasSize(MAX_FRAME + 1);

    try (RawClient client = login()) {
      client.send(query);

      assertThat(dataRows(client.readUntilReady())).containsExactly(Integer.toString(padding));
    }
  }

  static Stream<Arguments> malformedStartups() {
    return Stream.of(
        Arguments.of("unknown code", bytes().int32(8).int32((1234 << 16) | 9999).build()),
        Arguments.of("protocol 2.0", bytes().int32(8).int32(2 << 16).build()),
        Arguments.of(
            "HTTP request", "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.UTF_8)),
        Arguments.of("shorter than its header", bytes().int32(4).int32(0).build()),
        Arguments.of(
            "longer than 10000 bytes",
            bytes().int32(10_001).int32(MessageTags.PROTOCOL_3_0).build()),
        Arguments.of(
            "parameters without terminator",
            bytes()
                .int32(8 + 11)
                .int32(MessageTags.PROTOCOL_3_0)
                .cstr("user")
                .cstr("alice")
                .build()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformedStartups")
  void malformedStartupIsProtocolViolation(String name, byte[] packet) throws Exception {
    try (RawClient client = RawClient.connect(proxy)) {
      client.send(packet);

      assertSingleFatal(client.readUntilClosed(), "08P01");
    }
    assertOthersUnharmed();
  }

  static Stream<Arguments> malformedInspectedMessages() {
    String api = "SELECT pgtrickle.refresh_stream_table('some_st')";
    byte[] sql = api.getBytes(StandardCharsets.UTF_8);
    byte[] prepared =
        message(
            'P',
            bytes().cstr("api").cstr("SELECT pgtrickle.refresh_stream_table($1)").int16(0).build());
    return Stream.of(
        Arguments.of("Query without terminator", message('Q', sql)),
        Arguments.of(
            "Query with bytes after its terminator",
            message('Q', bytes().cstr(api).raw(sql).build())),
        Arguments.of("Parse without terminator", message('P', bytes().cstr("").raw(sql).build())),
        Arguments.of(
            "Parse with bytes after its end",
            message('P', bytes().cstr("").cstr(api).int16(0).int32(23).build())),
        Arguments.of(
            "Parse short of its parameter types",
            message('P', bytes().cstr("").cstr(api).int16(3).int32(25).build())),
        Arguments.of(
            "Bind without terminator after an API statement",
            bytes()
                .raw(prepared)
                .raw(message('B', bytes().raw("portal".getBytes(StandardCharsets.UTF_8)).build()))
                .build()),
        Arguments.of(
            "Close without terminator after an API statement",
            bytes()
                .raw(prepared)
                .raw(
                    message(
                        'C', bytes().int8('S').raw("api".getBytes(StandardCharsets.UTF_8)).build()))
                .build()));
  }

  /**
   * Messages the proxy reads (Query and Parse that mention pg_trickle, Bind and Close once API
   * statements exist) are framed correctly but malformed inside: the proxy ends the session as it
   * does for broken framing, and releases what it was reading.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("malformedInspectedMessages")
  void malformedInspectedMessageIsProtocolViolation(String name, byte[] messages) throws Exception {
    try (RawClient client = login()) {
      client.send(messages);

      List<Message> reply = client.readUntilClosed();

      assertThat(reply).filteredOn(Message::isError).hasSize(1);
      assertSingleFatal(reply.subList(reply.size() - 1, reply.size()), "08P01");
    }
    awaitBackendGone();
    assertOthersUnharmed();
  }

  @Test
  void unknownMessageTypeIsRejectedByTheServer() throws Exception {
    // Well framed, so the proxy passes it on; the server decides, as it would without a proxy.
    try (RawClient client = login()) {
      client.send(message('y', new byte[0]));

      assertSingleFatal(client.readUntilClosed(), "08P01");
    }
    awaitBackendGone();
    assertOthersUnharmed();
  }

  @Test
  void messagesArrivingOneByteAtATimeWork() throws Exception {
    try (RawClient client = RawClient.connect(proxy).splittingEveryByte()) {
      client.login(db.user(), db.databaseName(), db.password(), Map.of());

      assertThat(dataRows(client.query("SELECT 'split' || 42"))).containsExactly("split42");

      // The extended protocol, and an API call the proxy must recognise in reassembled bytes.
      ByteArrayOutputStream batch = new ByteArrayOutputStream();
      batch.writeBytes(message('P', bytes().cstr("").cstr("SELECT $1::int + 1").int16(0).build()));
      batch.writeBytes(
          message(
              'B',
              bytes()
                  .cstr("")
                  .cstr("")
                  .int16(0)
                  .int16(1)
                  .int32(2)
                  .raw("41".getBytes(StandardCharsets.UTF_8))
                  .int16(0)
                  .build()));
      batch.writeBytes(message('E', bytes().cstr("").int32(0).build()));
      batch.writeBytes(message('S', new byte[0]));
      client.send(batch.toByteArray());
      assertThat(dataRows(client.readUntilReady())).containsExactly("42");

      List<Message> reply = client.query("SELECT pgtrickle.refresh_stream_table('no_such_st')");
      assertThat(reply)
          .filteredOn(Message::isError)
          .extracting(Message::sqlState)
          .contains("42P01");
    }
    assertOthersUnharmed();
  }

  // ---- clients that go away ----

  @Test
  void clientGoneDuringLongQueryEndsItsBackend() throws Exception {
    try (RawClient client = login()) {
      client.send(queryMessage("SELECT pg_sleep(30)"));
      awaitBackend("state = 'active' AND query LIKE 'SELECT pg_sleep%'");
    }

    awaitBackendGone();
    assertOthersUnharmed();
  }

  @Test
  void clientGoneDuringCopyInCommitsNothing() throws Exception {
    try (RawClient client = login()) {
      client.send(queryMessage("COPY copy_target FROM STDIN"));
      assertThat(client.read().type()).as("CopyInResponse").isEqualTo('G');
      client.send(message('d', "1\tone\n2\ttwo\n".getBytes(StandardCharsets.UTF_8)));
      awaitBackend("query LIKE 'COPY copy_target%'");
    }

    awaitBackendGone();
    assertThat(count("SELECT count(*) FROM copy_target")).isZero();
    assertOthersUnharmed();
  }

  @Test
  void clientGoneDuringApiCallInTransactionLeavesNoStreamTable() throws Exception {
    String name = "gone_in_tx_st";
    try (Connection locker = lockApiSource()) {
      try (RawClient client = login()) {
        assertThat(client.query("BEGIN")).last().extracting(Message::status).isEqualTo('T');
        client.send(queryMessage(createStreamTable(name)));
        awaitApiCallBlocked();
      }
      // Still blocked: only a proxy that noticed the client leave can have closed the server
      // connection (the session's client_connection_check_interval lets the backend see it).
      awaitBackendGone();
      locker.rollback();
    }

    assertThat(streamTableTrace(name)).containsExactly(0L, 0L, 0L);
    assertOthersUnharmed();
    // The same call, left to finish, does leave a stream table: the check above can fail.
    try (Connection c = connectThroughProxy("");
        Statement s = c.createStatement()) {
      s.execute(createStreamTable(name));
      assertThat(streamTableTrace(name)).doesNotContain(0L);
      s.execute("SELECT pgtrickle.drop_stream_table('" + name + "')");
    }
  }

  /**
   * Outside a transaction block the call commits on its own, unless the client leaves first: the
   * proxy keeps reading from a client while its API call runs, sees it leave, and closes the server
   * connection before the call's COMMIT, so the server rolls the call back.
   */
  @Test
  void clientGoneDuringApiCallInAutocommitLeavesNothing() throws Exception {
    String name = "gone_autocommit_st";
    try (Connection locker = lockApiSource()) {
      try (RawClient client = login()) {
        client.send(queryMessage(createStreamTable(name)));
        awaitApiCallBlocked();
      }
      // Still blocked: only a proxy that noticed the client leave can have closed the server
      // connection (the session's client_connection_check_interval lets the backend see it).
      awaitBackendGone();
      locker.rollback();
    }

    assertThat(streamTableTrace(name)).containsExactly(0L, 0L, 0L);
    assertOthersUnharmed();
  }

  @Test
  void clientThatStopsReadingAndLeavesEndsItsBackend() throws Exception {
    try (RawClient client = login()) {
      // Far more than socket buffers hold: with backpressure the server blocks sending.
      client.send(queryMessage("SELECT repeat('x', 1000) FROM generate_series(1, 200000)"));
      awaitBackend("wait_event = 'ClientWrite'");
    }

    awaitBackendGone();
    assertOthersUnharmed();
  }

  // ---- an upstream backend that goes away ----

  @Test
  void backendTerminatedWhileIdleEndsTheSession() throws Exception {
    try (RawClient client = login()) {
      terminateBackend();

      assertEndedByServer(client.readUntilClosed());
    }
    assertOthersUnharmed();
  }

  @Test
  void backendTerminatedDuringQueryEndsTheSession() throws Exception {
    try (RawClient client = login()) {
      client.send(queryMessage("SELECT pg_sleep(30)"));
      awaitBackend("state = 'active' AND query LIKE 'SELECT pg_sleep%'");
      terminateBackend();

      assertEndedByServer(client.readUntilClosed());
    }
    assertOthersUnharmed();
  }

  @Test
  void backendTerminatedDuringApiCallEndsTheSession() throws Exception {
    try (Connection locker = lockApiSource()) {
      try (RawClient client = login()) {
        client.send(queryMessage(createStreamTable("terminated_st")));
        awaitApiCallBlocked();
        terminateBackend();

        assertEndedByServer(client.readUntilClosed());
      }
      locker.rollback();
    }

    assertThat(streamTableTrace("terminated_st")).containsExactly(0L, 0L, 0L);
    assertOthersUnharmed();
  }

  @Test
  void backendTerminatedUnderPgjdbcFailsItsNextStatement() throws Exception {
    try (Connection c = connectThroughProxy("ApplicationName=" + app);
        Statement s = c.createStatement()) {
      s.execute("SELECT 1");
      terminateBackend();

      assertConnectionLost(() -> s.execute("SELECT 1"));
      assertThat(c.isValid(5)).isFalse();
    }
    assertOthersUnharmed();
  }

  @Test
  void unreachableUpstreamIsConnectionNotEstablished() throws Exception {
    int port = unusedPort();
    String upstream = "127.0.0.1:" + port;
    ProxyConfig config =
        ProxyConfig.forUpstream("127.0.0.1", port)
            .withListen(new InetSocketAddress("127.0.0.1", 0));
    try (ProxyServer nowhere = ProxyServer.start(config)) {
      InetSocketAddress address = nowhere.address();
      try (RawClient client = RawClient.connect(address.getHostString(), address.getPort())) {
        // The query arrives while the proxy is still connecting, and waits in vain.
        client.send(
            bytes()
                .raw(RawClient.startup(startupParameters()))
                .raw(queryMessage("SELECT 1"))
                .build());

        List<Message> reply = client.readUntilClosed();

        assertSingleFatal(reply, "08001");
        assertThat(reply.get(0).fields().get('M')).contains(upstream);
      }

      String url =
          "jdbc:postgresql://"
              + address.getHostString()
              + ":"
              + address.getPort()
              + "/"
              + db.databaseName();
      Properties props = db.properties();
      props.setProperty("socketTimeout", Long.toString(RawClient.HANG_GUARD.toSeconds()));
      assertThatExceptionOfType(SQLException.class)
          .isThrownBy(() -> DriverManager.getConnection(url, props).close())
          .withMessageContaining(upstream)
          .extracting(SQLException::getSQLState)
          .isEqualTo("08001");
    }
    assertOthersUnharmed();
  }

  // ---- cancel requests ----

  @Test
  void cancelRequestForUnknownKeysIsHarmless() throws Exception {
    try (RawClient victim = login()) {
      victim.send(queryMessage("SELECT pg_sleep(2)"));
      // Also true once it has finished: then the cancels below come too late to prove much.
      awaitBackend("query LIKE 'SELECT pg_sleep(2)%'");

      // Another backend's key, and the right backend with the wrong secret.
      assertThat(sendCancel(victim.processId() + 1_000_000, victim.secretKey())).isEmpty();
      assertThat(sendCancel(victim.processId(), victim.secretKey() ^ 0x5A5A5A5A)).isEmpty();

      List<Message> reply = victim.readUntilReady();
      assertThat(reply).noneMatch(Message::isError);
      assertThat(reply).extracting(Message::type).contains('C');

      // The right key does cancel, so the requests above did reach the server.
      victim.send(queryMessage("SELECT pg_sleep(30)"));
      awaitBackend("state = 'active' AND query LIKE 'SELECT pg_sleep(30)%'");
      assertThat(sendCancel(victim.processId(), victim.secretKey())).isEmpty();
      assertThat(victim.readUntilReady())
          .filteredOn(Message::isError)
          .extracting(Message::sqlState)
          .containsExactly("57014");
    }
    assertOthersUnharmed();
  }

  @ParameterizedTest(name = "length {0}")
  @ValueSource(ints = {12, 20})
  void cancelRequestOfWrongLengthIsRejected(int length) throws Exception {
    RawClient.Bytes packet = bytes().int32(length).int32(MessageTags.CANCEL_REQUEST_CODE);
    packet.raw(new byte[length - 8]);
    try (RawClient client = RawClient.connect(proxy)) {
      client.send(packet.build());

      assertSingleFatal(client.readUntilClosed(), "08P01");
    }
    assertOthersUnharmed();
  }

  // ---- many short lives ----

  @Test
  void manyConnectionsComingAndGoingLeaveNothingBehind() throws Exception {
    byte[] startup = RawClient.startup(startupParameters());
    for (int i = 0; i < 200; i++) {
      switch (i % 4) {
        case 0 -> {
          try (Connection c = connectThroughProxy("ApplicationName=" + app);
              Statement s = c.createStatement();
              ResultSet rs = s.executeQuery("SELECT " + i)) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(i);
          }
        }
        case 1 -> {
          try (RawClient client = RawClient.connect(proxy)) {
            client.send(Arrays.copyOf(startup, 1 + i % startup.length));
          }
        }
        case 2 -> {
          try (RawClient client = RawClient.connect(proxy)) {
            client.send(startup);
          }
        }
        default -> {
          try (RawClient client = login()) {
            client.send(queryMessage("SELECT 1"));
          }
        }
      }
    }

    awaitBackendGone();
    assertOthersUnharmed();
  }

  // ---- helpers ----

  private Map<String, String> startupParameters() {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("user", db.user());
    params.put("database", db.databaseName());
    params.put("application_name", app);
    return params;
  }

  /**
   * A raw session through the proxy, named {@link #app} in pg_stat_activity. Its backend checks for
   * a vanished client while it runs a query; without that, PostgreSQL itself (proxy or not) only
   * notices when the query ends.
   */
  private RawClient login() throws IOException {
    RawClient client = RawClient.connect(proxy);
    client.login(
        db.user(),
        db.databaseName(),
        db.password(),
        Map.of("application_name", app, "client_connection_check_interval", "100"));
    return client;
  }

  /**
   * A direct connection holding an exclusive lock on the API calls' source table, so that a call
   * blocks while it is in progress; rolling back releases it.
   */
  private Connection lockApiSource() throws SQLException {
    Connection locker = db.connect();
    locker.setAutoCommit(false);
    try (Statement s = locker.createStatement()) {
      s.execute("LOCK TABLE api_source IN ACCESS EXCLUSIVE MODE");
    }
    return locker;
  }

  private void awaitApiCallBlocked() throws SQLException {
    awaitBackend("wait_event_type = 'Lock' AND wait_event = 'relation'");
  }

  /**
   * What exists of stream table {@code name}: its catalog rows, relations of that name, and
   * change-capture triggers on its source; all zero once nothing is left.
   */
  private List<Long> streamTableTrace(String name) throws SQLException {
    return List.of(
        count("SELECT count(*) FROM pgtrickle.pgt_stream_tables WHERE pgt_name = '" + name + "'"),
        count("SELECT count(*) FROM pg_class WHERE relname = '" + name + "'"),
        count(
            "SELECT count(*) FROM pg_trigger"
                + " WHERE tgrelid = 'api_source'::regclass AND NOT tgisinternal"));
  }

  private static String createStreamTable(String name) {
    return "SELECT pgtrickle.create_stream_table('" + name + "', 'SELECT id, v FROM api_source')";
  }

  private static List<String> dataRows(List<Message> messages) {
    assertThat(messages).noneMatch(Message::isError);
    return messages.stream().filter(m -> m.type() == 'D').map(Message::firstColumn).toList();
  }

  /** pgjdbc through the proxy; its socket timeout only guards against a hang. */
  private Connection connectThroughProxy(String parameters) throws SQLException {
    return proxy.connect(
        "socketTimeout="
            + RawClient.HANG_GUARD.toSeconds()
            + (parameters.isEmpty() ? "" : "&" + parameters));
  }

  /** The connection opened before the fault and one opened after both work. */
  private void assertOthersUnharmed() throws SQLException {
    try (Statement s = bystander.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM witness")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getInt(1)).isEqualTo(1);
    }
    bystander.commit();
    try (Connection fresh = connectThroughProxy("");
        Statement s = fresh.createStatement();
        ResultSet rs = s.executeQuery("SELECT current_database()")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo(db.databaseName());
    }
  }

  /** Sends a CancelRequest through the proxy and returns what came back before it closed. */
  private List<Message> sendCancel(int processId, int secretKey) throws IOException {
    try (RawClient canceller = RawClient.connect(proxy)) {
      canceller.send(RawClient.cancelRequest(processId, secretKey));
      return canceller.readUntilClosed();
    }
  }

  private void terminateBackend() throws SQLException {
    awaitBackend("true");
    try (PreparedStatement ps =
        admin.prepareStatement(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity"
                + " WHERE application_name = ?")) {
      ps.setString(1, app);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).as("backends terminated").isEqualTo(1);
      }
    }
  }

  /** Waits until this test's backend is in pg_stat_activity and matches {@code condition}. */
  private void awaitBackend(String condition) throws SQLException {
    String sql =
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = ? AND (" + condition + ")";
    await("a backend named " + app + " where " + condition, () -> backends(sql) > 0);
  }

  /** Waits until no backend of this test's sessions is left on the server. */
  private void awaitBackendGone() throws SQLException {
    String sql = "SELECT count(*) FROM pg_stat_activity WHERE application_name = ?";
    await("no backend named " + app, () -> backends(sql) == 0);
  }

  private long backends(String sql) throws SQLException {
    try (PreparedStatement ps = admin.prepareStatement(sql)) {
      ps.setString(1, app);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static void await(String what, Callable<Boolean> condition) throws SQLException {
    long deadline = System.nanoTime() + RawClient.HANG_GUARD.toNanos();
    try {
      while (!condition.call()) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("still waiting after " + RawClient.HANG_GUARD + " for " + what);
        }
        Thread.sleep(50);
      }
    } catch (SQLException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private long count(String sql) throws SQLException {
    try (Statement s = admin.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static int unusedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
