package io.pgtrickle.engine.session;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import org.postgresql.PGStatement;

/**
 * A {@link SqlSession} over a pgjdbc connection. Every statement is a fresh, closed-after-use
 * {@link PreparedStatement} whose prepare threshold is 0, so pgjdbc never promotes it to a named
 * server-side statement whatever the connection's {@code prepareThreshold}: safe behind a
 * transaction-pooling PgBouncer. (Closing is not enough: pgjdbc's statement cache counts the runs
 * of one SQL text across statements and prepares it by name on the fifth.)
 */
public final class JdbcSqlSession implements SqlSession {
  private final Connection connection;
  private final boolean maintainsImmediate;

  /** Wraps a pgjdbc connection (not a pg_trickle driver connection: that would intercept again). */
  public JdbcSqlSession(Connection connection) {
    this(connection, false);
  }

  /**
   * Wraps a pgjdbc connection whose client statements are (or are not) intercepted for IMMEDIATE
   * maintenance.
   */
  public JdbcSqlSession(Connection connection, boolean maintainsImmediate) {
    this.connection = connection;
    this.maintainsImmediate = maintainsImmediate;
  }

  @Override
  public boolean maintainsImmediate() {
    return maintainsImmediate;
  }

  /** The underlying connection. */
  public Connection connection() {
    return connection;
  }

  @Override
  public List<Row> query(String sql, Object... params) throws SQLException {
    try (PreparedStatement ps = prepare(sql, params);
        ResultSet rs = ps.executeQuery()) {
      return rows(rs);
    } catch (SQLException e) {
      throw ServerErrors.translate(e);
    }
  }

  private static List<Row> rows(ResultSet rs) throws SQLException {
    int n = rs.getMetaData().getColumnCount();
    List<Row> rows = new ArrayList<>();
    List<String> values = new ArrayList<>(n);
    while (rs.next()) {
      values.clear();
      for (int i = 1; i <= n; i++) {
        values.add(rs.getString(i));
      }
      rows.add(new Row(values));
    }
    return rows;
  }

  @Override
  public long update(String sql, Object... params) throws SQLException {
    try (PreparedStatement ps = prepare(sql, params)) {
      return ps.executeLargeUpdate();
    } catch (SQLException e) {
      throw ServerErrors.translate(e);
    }
  }

  @Override
  public List<Row> rawQuery(String sql) throws SQLException {
    try (Statement st = rawStatement();
        ResultSet rs = st.executeQuery(sql)) {
      return rows(rs);
    } catch (SQLException e) {
      throw ServerErrors.translate(e);
    }
  }

  @Override
  public long rawUpdate(String sql) throws SQLException {
    try (Statement st = rawStatement()) {
      st.execute(sql);
      return Math.max(st.getLargeUpdateCount(), 0);
    } catch (SQLException e) {
      throw ServerErrors.translate(e);
    }
  }

  /**
   * One multi-statement {@link PreparedStatement}: pgjdbc sends every statement's Parse, Bind and
   * Execute and then a single Sync, so the whole list costs one round trip.
   */
  @Override
  public void updateAll(List<Update> statements) throws SQLException {
    if (statements.isEmpty()) {
      return;
    }
    StringBuilder sql = new StringBuilder();
    List<Object> params = new ArrayList<>();
    for (Update u : statements) {
      sql.append(sql.length() == 0 ? "" : ";\n").append(u.sql());
      params.addAll(u.params());
    }
    try (PreparedStatement ps = prepare(sql.toString(), params.toArray())) {
      ps.execute();
    } catch (SQLException e) {
      throw ServerErrors.translate(e);
    }
  }

  private Statement rawStatement() throws SQLException {
    Statement st = connection.createStatement();
    st.setEscapeProcessing(false);
    return st;
  }

  private PreparedStatement prepare(String sql, Object... params) throws SQLException {
    PreparedStatement ps = connection.prepareStatement(sql);
    try {
      ps.setEscapeProcessing(false);
      ps.unwrap(PGStatement.class).setPrepareThreshold(0);
      for (int i = 0; i < params.length; i++) {
        Object p = params[i];
        // Types.OTHER makes pgjdbc send the text with an unspecified type, as the proxy will:
        // the server infers the type from the context or from an explicit cast in the SQL.
        ps.setObject(i + 1, p == null ? null : p.toString(), Types.OTHER);
      }
      return ps;
    } catch (SQLException | RuntimeException e) {
      ps.close();
      throw e;
    }
  }

  @Override
  public boolean inTransaction() throws SQLException {
    return !connection.getAutoCommit();
  }

  @Override
  public void begin() throws SQLException {
    connection.setAutoCommit(false);
  }

  @Override
  public void commit() throws SQLException {
    try {
      connection.commit();
    } catch (SQLException e) {
      throw ServerErrors.translate(e);
    } finally {
      connection.setAutoCommit(true);
    }
  }

  @Override
  public void rollback() throws SQLException {
    try {
      connection.rollback();
    } finally {
      connection.setAutoCommit(true);
    }
  }
}
