package io.pgtrickle.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.postgresql.PGProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Debian's {@code pgbouncer} in transaction pooling mode in front of the test server, started on
 * demand ({@code -Dpgtrickle.pgbouncer=true}) once per JVM and stopped when the JVM exits.
 *
 * <p>It is made stricter than a production pooler so that session state shows up as a failure
 * rather than as luck: after every transaction the server connection is cleaned with {@code DISCARD
 * ALL} (dropping prepared statements, temporary tables, session advisory locks and {@code SET}
 * values), and a client's next transaction may run on any other server connection. Clients log in
 * with {@code auth_type = trust} for the users listed in its {@code auth_file}: the administrator,
 * plus the roles tests create ({@link #addUser}); PgBouncer logs in to the server with the password
 * listed there.
 */
public final class PgBouncer implements AutoCloseable {
  /** Set to {@code true} to run the tests of this JVM through PgBouncer. */
  static final String ENABLE_PROPERTY = "pgtrickle.pgbouncer";

  /** Overrides where the {@code pgbouncer} binary is looked for. */
  static final String PATH_PROPERTY = "pgtrickle.pgbouncer.path";

  /** Set (to {@code true}) where a missing PgBouncer must fail the run rather than skip it. */
  static final String REQUIRE_ENV = "PGTRICKLE_REQUIRE_PGBOUNCER";

  private static final Path DEBIAN_BINARY = Path.of("/usr/sbin/pgbouncer");
  private static final Duration STARTUP_WAIT = Duration.ofSeconds(30);
  private static final int PORT_ATTEMPTS = 5;
  private static final Logger LOG = LoggerFactory.getLogger(PgBouncer.class);

  private final Path dir;
  private final Process process;
  private final ServerEndpoint endpoint;
  private final Map<String, String> users = new HashMap<>();
  private boolean stopped;
  // Rewriting the user list and signalling a reload are I/O; two roles at once must not interleave.
  private final ReentrantLock usersLock = new ReentrantLock();

  private PgBouncer(Path dir, Process process, ServerEndpoint endpoint, ServerEndpoint server) {
    this.dir = dir;
    this.process = process;
    this.endpoint = endpoint;
    users.put(server.user(), server.password() == null ? "" : server.password());
  }

  /** Whether this JVM's tests are to go through PgBouncer. */
  static boolean requested() {
    return Boolean.parseBoolean(System.getProperty(ENABLE_PROPERTY, "false").trim());
  }

  /** Whether a missing PgBouncer fails the run: on CI, or where {@value #REQUIRE_ENV} is set. */
  public static boolean required() {
    return isTrue(System.getenv(REQUIRE_ENV)) || isTrue(System.getenv("CI"));
  }

  private static boolean isTrue(String value) {
    return value != null && (value.equalsIgnoreCase("true") || value.equals("1"));
  }

  /** The {@code pgbouncer} binary: {@code -Dpgtrickle.pgbouncer.path}, Debian's, or on the PATH. */
  static Optional<Path> binary() {
    String configured = System.getProperty(PATH_PROPERTY, "");
    if (!configured.isBlank()) {
      Path p = Path.of(configured);
      return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
    }
    if (Files.isExecutable(DEBIAN_BINARY)) {
      return Optional.of(DEBIAN_BINARY);
    }
    return Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
        .filter(s -> !s.isEmpty())
        .map(s -> Path.of(s, "pgbouncer"))
        .filter(Files::isExecutable)
        .findFirst();
  }

  /** What to tell someone whose run needs PgBouncer and has none. */
  static String missingMessage() {
    String configured = System.getProperty(PATH_PROPERTY, "");
    String where =
        configured.isBlank()
            ? "at " + DEBIAN_BINARY + " or on the PATH (or give it with -D" + PATH_PROPERTY + ")"
            : "at " + configured + " (-D" + PATH_PROPERTY + ")";
    return "PgBouncer is required (-D"
        + ENABLE_PROPERTY
        + "=true) but no pgbouncer binary was found "
        + where
        + ": install Debian's package (apt-get install pgbouncer), or run without -D"
        + ENABLE_PROPERTY
        + " (-Dpgbouncer.skip=true skips the build's PgBouncer leg)";
  }

  /**
   * Starts PgBouncer in front of {@code server}, on a free loopback port, and waits until a
   * connection through it reaches the server.
   */
  static PgBouncer start(ServerEndpoint server) {
    // Below the test server's max_connections (200), above what one test class holds at once.
    return start(server, 60);
  }

  private static PgBouncer start(ServerEndpoint server, int poolSize) {
    Path binary = binary().orElseThrow(() -> new IllegalStateException(missingMessage()));
    long started = System.nanoTime();
    IllegalStateException last = null;
    for (int attempt = 1; attempt <= PORT_ATTEMPTS; attempt++) {
      Path dir = null;
      try {
        dir = Files.createTempDirectory("pgtrickle-pgbouncer");
        PgBouncer bouncer = launch(binary, dir, server, freePort(), poolSize);
        LOG.info(
            "PgBouncer (transaction pooling) on port {} in front of {} in {} ms",
            bouncer.endpoint.port(),
            server.describe(),
            (System.nanoTime() - started) / 1_000_000);
        return bouncer;
      } catch (IOException e) {
        throw new UncheckedIOException("could not start PgBouncer in " + dir, e);
      } catch (PortTakenException e) {
        // The free port was taken between our probe and PgBouncer's bind: try another.
        last = e;
        deleteQuietly(dir);
      }
    }
    throw last;
  }

  /**
   * Starts another PgBouncer, like the one the run may use, in front of whatever listens on {@code
   * host:port} (the proxy, say), for {@code db}'s administrator, with at most {@code poolSize}
   * server connections per database and user: fewer than its clients makes it hand their
   * transactions to one another's connections. Close it when done.
   *
   * @throws IllegalStateException if {@code pgbouncer} is not installed
   */
  public static PgBouncer inFrontOf(TestDatabase db, String host, int port, int poolSize) {
    return start(
        new ServerEndpoint(host, port, db.databaseName(), db.user(), db.password(), Map.of()),
        poolSize);
  }

  /**
   * Whether Debian's {@code pgbouncer} (or the one {@code -Dpgtrickle.pgbouncer.path} names) is
   * here.
   */
  public static boolean installed() {
    return binary().isPresent();
  }

  /** Where clients connect. */
  public String host() {
    return endpoint.host();
  }

  /** The port clients connect to. */
  public int port() {
    return endpoint.port();
  }

  @Override
  public void close() {
    stop();
  }

  /** How clients reach the server through PgBouncer, as the administrator. */
  ServerEndpoint endpoint() {
    return endpoint;
  }

  /**
   * Lets {@code user} log in through PgBouncer, which logs in to the server with {@code password}:
   * rewrites the user list and has PgBouncer reload it.
   */
  void addUser(String user, String password) {
    usersLock.lock();
    try {
      if (password.equals(users.get(user))) {
        return;
      }
      users.put(user, password);
      writeUsers(dir, users);
      int status =
          new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).start().waitFor();
      if (status != 0) {
        throw new IllegalStateException("could not make PgBouncer reload its user list");
      }
      // The reload is asynchronous; wait until the new user can log in.
      awaitLogin(endpoint.withCredentials(user, password));
    } catch (IOException e) {
      throw new UncheckedIOException("could not add user " + user + " to PgBouncer", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while PgBouncer reloaded its user list", e);
    } finally {
      usersLock.unlock();
    }
  }

  private static PgBouncer launch(
      Path binary, Path dir, ServerEndpoint server, int port, int poolSize) throws IOException {
    boolean root = "root".equals(System.getProperty("user.name"));
    Path ini = dir.resolve("pgbouncer.ini");
    Path log = dir.resolve("pgbouncer.log");
    Files.writeString(ini, ini(dir, server, port, root, poolSize), StandardCharsets.UTF_8);
    writeUsers(dir, Map.of(server.user(), server.password() == null ? "" : server.password()));
    if (root) {
      // PgBouncer refuses to run as root; it switches to `nobody`, who must read its files.
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
      Files.setPosixFilePermissions(ini, PosixFilePermissions.fromString("rw-r--r--"));
    }
    Process process =
        new ProcessBuilder(binary.toString(), ini.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    Map<String, String> options = new HashMap<>(server.options());
    // pgjdbc's named server-side statements outlive the transaction: PgBouncer 1.18 cannot
    // route them. Our documented setting for clients behind a transaction-pooling PgBouncer.
    options.put(PGProperty.PREPARE_THRESHOLD.getName(), "0");
    ServerEndpoint endpoint =
        new ServerEndpoint(
            "127.0.0.1", port, server.adminDatabase(), server.user(), server.password(), options);
    PgBouncer bouncer = new PgBouncer(dir, process, endpoint, server);
    try {
      bouncer.awaitLogin(endpoint);
    } catch (RuntimeException e) {
      bouncer.stop();
      String output = tail(log);
      if (output.contains("Address already in use")) {
        throw new PortTakenException(port, output);
      }
      deleteQuietly(dir);
      throw new IllegalStateException(
          "PgBouncer did not come up on port " + port + "; its log:\n" + output, e);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(bouncer::stop, "pgtrickle-pgbouncer-stop"));
    return bouncer;
  }

  private static String ini(Path dir, ServerEndpoint server, int port, boolean root, int poolSize) {
    String host = server.host().equals("localhost") ? "127.0.0.1" : server.host();
    List<String> lines = new ArrayList<>();
    lines.add("[databases]");
    // Every database name, so the databases tests create later are reachable without a reload.
    lines.add("* = host=" + host + " port=" + server.port());
    lines.add("[pgbouncer]");
    lines.add("listen_addr = 127.0.0.1");
    lines.add("listen_port = " + port);
    lines.add("unix_socket_dir =");
    lines.add("auth_type = trust");
    lines.add("auth_file = " + dir.resolve("userlist.txt"));
    lines.add("pool_mode = transaction");
    // Stricter than production: any session state is gone by the client's next transaction.
    lines.add("server_reset_query = DISCARD ALL");
    lines.add("server_reset_query_always = 1");
    // pgjdbc sends it at startup; PgBouncer 1.18 refuses startup parameters it does not know.
    lines.add("ignore_startup_parameters = extra_float_digits");
    lines.add("max_client_conn = 1000");
    lines.add("default_pool_size = " + poolSize);
    // A database dropped by one class and a login refused must not stall the next for 15 s.
    lines.add("server_login_retry = 1");
    lines.add("log_connections = 0");
    lines.add("log_disconnections = 0");
    lines.add("log_pooler_errors = 1");
    if (root) {
      lines.add("user = nobody");
    }
    return String.join("\n", lines) + "\n";
  }

  private static void writeUsers(Path dir, Map<String, String> users) throws IOException {
    StringBuilder list = new StringBuilder();
    users.forEach(
        (user, password) ->
            list.append('"')
                .append(user.replace("\"", "\"\""))
                .append("\" \"")
                .append(password.replace("\"", "\"\""))
                .append("\"\n"));
    Path file = dir.resolve("userlist.txt");
    Path next = dir.resolve("userlist.txt.new");
    Files.writeString(next, list, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(next, PosixFilePermissions.fromString("rw-r--r--"));
    Files.move(next, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  /** Waits until {@code as} can log in through PgBouncer to the administration database. */
  private void awaitLogin(ServerEndpoint as) {
    Instant deadline = Instant.now().plus(STARTUP_WAIT);
    while (true) {
      try (Connection c = as.connectAdmin()) {
        Sql.scalar(c, "SELECT 1");
        return;
      } catch (SQLException e) {
        if (!process.isAlive()) {
          throw new IllegalStateException("PgBouncer exited with status " + process.exitValue(), e);
        }
        if (Instant.now().isAfter(deadline)) {
          throw new IllegalStateException(
              "could not log in as " + as.user() + " through PgBouncer within " + STARTUP_WAIT, e);
        }
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for PgBouncer", e);
      }
    }
  }

  /**
   * Fails with PgBouncer's exit status and the end of its log if it is no longer running, so that
   * the next test class says why instead of "connection refused".
   */
  void checkRunning() {
    if (!process.isAlive()) {
      throw new IllegalStateException(
          "PgBouncer on port "
              + endpoint.port()
              + " exited with status "
              + process.exitValue()
              + "; the end of its log:\n"
              + tail(dir.resolve("pgbouncer.log")));
    }
  }

  private synchronized void stop() {
    if (stopped) {
      return;
    }
    stopped = true;
    if (!process.isAlive()) {
      // Logging may already be shut down in a shutdown hook: straight to the test's output, and
      // the log is kept.
      System.err.printf(
          "PgBouncer had exited with status %d; its log: %s; the end of it:%n%s%n",
          process.exitValue(), dir.resolve("pgbouncer.log"), tail(dir.resolve("pgbouncer.log")));
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    deleteQuietly(dir);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private static void deleteQuietly(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      LOG.debug("could not delete {}", dir, e);
    }
  }

  /** PgBouncer could not bind the port we picked for it. */
  private static final class PortTakenException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    PortTakenException(int port, String log) {
      super("port " + port + " was taken before PgBouncer could bind it:\n" + log);
    }
  }
}
