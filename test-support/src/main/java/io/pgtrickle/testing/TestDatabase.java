package io.pgtrickle.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;

/**
 * One test class's database on the shared test server, with the administrator's credentials.
 *
 * <p>The connection details it hands out ({@link #host}, {@link #port}, {@link #jdbcUrl}, {@link
 * #properties}, {@link #connect}) lead through PgBouncer when the run asks for it ({@code
 * -Dpgtrickle.pgbouncer=true}, see {@link #throughPgBouncer}); {@link #connectDirect} always
 * reaches the server itself.
 *
 * <p>Its coordinates never change; the only state it keeps is the list of roles created through
 * {@link #createRole}, so that they are dropped with the database after the class.
 */
public final class TestDatabase {

  private final ServerEndpoint server;
  private final ServerEndpoint clients;
  private final PgBouncer bouncer;
  private final String databaseName;
  private final int serverVersionNum;
  private final Set<String> createdRoles = ConcurrentHashMap.newKeySet();
  // Creating a role is I/O; two threads asking for the same role must not race CREATE vs ALTER.
  private final ReentrantLock roleLock = new ReentrantLock();

  TestDatabase(SharedServer.Started started, String databaseName) {
    this.server = Objects.requireNonNull(started.endpoint(), "server");
    this.clients = started.clientEndpoint();
    this.bouncer = started.bouncer();
    this.databaseName = Objects.requireNonNull(databaseName, "databaseName");
    this.serverVersionNum = started.versionNum();
  }

  /** The host name or address a client should connect to (PgBouncer's, if tests go through it). */
  public String host() {
    return clients.host();
  }

  /** The TCP port a client should connect to (PgBouncer's, if tests go through it). */
  public int port() {
    return clients.port();
  }

  /**
   * Whether the clients of this run reach the server through a transaction-pooling PgBouncer
   * ({@code -Dpgtrickle.pgbouncer=true}): each transaction may then run on another server
   * connection, and LISTEN, session settings and named prepared statements do not carry over.
   */
  public boolean throughPgBouncer() {
    return bouncer != null;
  }

  /** The name of this class's database, e.g. {@code stream_table_oracle_it_3}. */
  public String databaseName() {
    return databaseName;
  }

  /** The administrator role, allowed to create databases and roles. */
  public String user() {
    return server.user();
  }

  /** The administrator's password, or {@code null} when the server trusts the connection. */
  public String password() {
    return server.password();
  }

  /** {@code jdbc:postgresql://host:port/database}, without credentials. */
  public String jdbcUrl() {
    return clients.jdbcUrl(databaseName);
  }

  /**
   * {@link #jdbcUrl()} with our driver's scheme, {@code jdbc:pgtrickle:postgresql://host:port/db}.
   */
  public String pgTrickleUrl() {
    return jdbcUrl().replaceFirst("^jdbc:postgresql:", "jdbc:pgtrickle:postgresql:");
  }

  /**
   * A fresh copy of the administrator's connection properties: {@code user}, {@code password} (if
   * any) and any other pgjdbc options the test server URL carried ({@code prepareThreshold=0}
   * through PgBouncer, as the documentation tells users to set), plus {@code
   * pgtrickle.scheduler=false}: tests that go through the pg_trickle driver decide themselves when
   * stream tables refresh, so the driver's embedded scheduler stays off unless a test sets it to
   * true (pgjdbc ignores the property).
   */
  public Properties properties() {
    Properties props = clients.properties();
    props.setProperty("pgtrickle.scheduler", "false");
    return props;
  }

  /** A new pgjdbc connection to this database as the administrator; the caller closes it. */
  public Connection connect() throws SQLException {
    return clients.connect(databaseName);
  }

  /**
   * A new pgjdbc connection to this database on the server itself, never through PgBouncer: for
   * what a pooler cannot carry (LISTEN) or must not see (a test's own bookkeeping).
   */
  public Connection connectDirect() throws SQLException {
    return server.connect(databaseName);
  }

  /** A new pgjdbc connection to this database as {@code user}; the caller closes it. */
  public Connection connect(String user, String password) throws SQLException {
    Properties props = clients.properties();
    props.setProperty(PGProperty.USER.getName(), user);
    if (password == null) {
      props.remove(PGProperty.PASSWORD.getName());
    } else {
      props.setProperty(PGProperty.PASSWORD.getName(), password);
    }
    return DriverManager.getConnection(jdbcUrl(), props);
  }

  /** The server's {@code server_version_num}, e.g. 180006 or 150018. */
  public int serverVersionNum() {
    return serverVersionNum;
  }

  /**
   * Creates a LOGIN role named {@code <database>_<name>} (roles are cluster-wide, so the prefix
   * keeps classes apart) and returns that name; it is dropped after the class. Asking again for the
   * same name only resets the password. Through PgBouncer, the role is added to its user list.
   *
   * @param name lower-case letters, digits and underscores, starting with a letter
   */
  public String createRole(String name, String password) throws SQLException {
    Objects.requireNonNull(password, "password");
    String role = DatabaseNames.role(databaseName, name);
    roleLock.lock();
    try (Connection c = server.connectAdmin();
        Statement s = c.createStatement()) {
      PGConnection pg = c.unwrap(PGConnection.class);
      String verb = createdRoles.contains(role) ? "ALTER" : "CREATE";
      s.execute(
          verb
              + " ROLE "
              + pg.escapeIdentifier(role)
              + " WITH LOGIN PASSWORD '"
              + pg.escapeLiteral(password)
              + "'");
      createdRoles.add(role);
      if (bouncer != null) {
        bouncer.addUser(role, password);
      }
      return role;
    } finally {
      roleLock.unlock();
    }
  }

  /** Runs one statement in autocommit mode on a fresh administrator connection to this database. */
  public void execute(String sql) throws SQLException {
    try (Connection c = connect();
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  @Override
  public String toString() {
    return "TestDatabase[" + databaseName + " on " + server.describe() + "]";
  }

  ServerEndpoint server() {
    return server;
  }

  Set<String> createdRoles() {
    return Set.copyOf(createdRoles);
  }
}
