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
 * <p>Its coordinates never change; the only state it keeps is the list of roles created through
 * {@link #createRole}, so that they are dropped with the database after the class.
 */
public final class TestDatabase {

  private final ServerEndpoint server;
  private final String databaseName;
  private final int serverVersionNum;
  private final Set<String> createdRoles = ConcurrentHashMap.newKeySet();
  // Creating a role is I/O; two threads asking for the same role must not race CREATE vs ALTER.
  private final ReentrantLock roleLock = new ReentrantLock();

  TestDatabase(ServerEndpoint server, String databaseName, int serverVersionNum) {
    this.server = Objects.requireNonNull(server, "server");
    this.databaseName = Objects.requireNonNull(databaseName, "databaseName");
    this.serverVersionNum = serverVersionNum;
  }

  /** The server's host name or address, as a client should use it. */
  public String host() {
    return server.host();
  }

  /** The server's TCP port. */
  public int port() {
    return server.port();
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
    return server.jdbcUrl(databaseName);
  }

  /**
   * {@link #jdbcUrl()} with our driver's scheme, {@code jdbc:pgtrickle:postgresql://host:port/db}.
   */
  public String pgTrickleUrl() {
    return jdbcUrl().replaceFirst("^jdbc:postgresql:", "jdbc:pgtrickle:postgresql:");
  }

  /**
   * A fresh copy of the administrator's connection properties: {@code user}, {@code password} (if
   * any) and any other pgjdbc options the test server URL carried, plus {@code
   * pgtrickle.scheduler=false}: tests that go through the pg_trickle driver decide themselves when
   * stream tables refresh, so the driver's embedded scheduler stays off unless a test sets it to
   * true (pgjdbc ignores the property).
   */
  public Properties properties() {
    Properties props = server.properties();
    props.setProperty("pgtrickle.scheduler", "false");
    return props;
  }

  /** A new pgjdbc connection to this database as the administrator; the caller closes it. */
  public Connection connect() throws SQLException {
    return server.connect(databaseName);
  }

  /** A new pgjdbc connection to this database as {@code user}; the caller closes it. */
  public Connection connect(String user, String password) throws SQLException {
    Properties props = server.properties();
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
   * same name only resets the password.
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
