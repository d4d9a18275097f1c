package io.pgtrickle.driver;

import io.pgtrickle.driver.jdbc.DelegatingConnection;
import io.pgtrickle.driver.jdbc.PrepareOptions;
import io.pgtrickle.driver.jdbc.StatementOptions;
import io.pgtrickle.engine.api.ApiExecutor;
import io.pgtrickle.engine.immediate.ImmediateInterceptor;
import io.pgtrickle.engine.session.JdbcSqlSession;
import io.pgtrickle.errors.PgTrickleException;
import io.pgtrickle.sql.api.ApiCall;
import io.pgtrickle.sql.api.ApiCallRecognizer;
import io.pgtrickle.sql.dml.StatementClass;
import io.pgtrickle.sql.lex.Identifiers;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;

/**
 * A pgjdbc connection with the pg_trickle API: statements and prepared statements whose SQL is a
 * {@code pgtrickle.*} write call are carried out by the engine on this connection; everything else
 * goes to pgjdbc untouched.
 */
public final class PgTrickleConnection extends DelegatingConnection {
  private final JdbcSqlSession session;
  private final ImmediateInterceptor immediate;

  /** pgjdbc's own view of the connection, asked for the transaction state on every statement. */
  private final BaseConnection pg;

  PgTrickleConnection(Connection pgjdbc) throws SQLException {
    super(pgjdbc);
    this.pg = pgjdbc.unwrap(BaseConnection.class);
    this.session = new JdbcSqlSession(pgjdbc, true);
    this.immediate = new ImmediateInterceptor(Clock.systemUTC());
  }

  /** A statement execution that may fail like JDBC. */
  @FunctionalInterface
  interface Execution<T> {
    T run() throws SQLException;
  }

  /**
   * Runs a client statement with IMMEDIATE maintenance around it: pending maintenance first when
   * the statement could read a stream table; an autocommit write to a source runs in one
   * transaction with its maintenance, so both commit or neither does.
   */
  <T> T intercepted(StatementClass c, Execution<T> execution) throws SQLException {
    boolean writesTracked;
    try {
      writesTracked = immediate.before(session, c);
    } catch (SQLException e) {
      if (c.kind() == StatementClass.Kind.COMMIT) {
        rollBackFailedCommit(e);
      }
      throw e;
    }
    if (!inTransaction()) {
      if (!writesTracked) {
        return execution.run();
      }
      delegate.setAutoCommit(false);
      try {
        T result = execution.run();
        immediate.flush(session);
        delegate.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        try {
          delegate.rollback();
        } catch (SQLException rollbackFailure) {
          e.addSuppressed(rollbackFailure);
        }
        throw e;
      } finally {
        immediate.ended();
        delegate.setAutoCommit(true);
      }
    }
    try {
      T result = execution.run();
      immediate.after(c, writesTracked);
      return result;
    } catch (SQLException | RuntimeException e) {
      immediate.statementFailed();
      throw e;
    }
  }

  /**
   * Like {@link #intercepted(StatementClass, Execution)} for the SQL text of a statement run now
   * (so its class may be the cheap one of {@link ImmediateInterceptor#classifyNow}).
   */
  <T> T intercepted(String sql, Execution<T> execution) throws SQLException {
    return intercepted(immediate.classifyNow(sql), execution);
  }

  /**
   * Whether a statement sent now runs inside a transaction block: autocommit is off, or the
   * application opened one with a BEGIN statement.
   */
  private boolean inTransaction() throws SQLException {
    return !delegate.getAutoCommit() || pg.getTransactionState() != TransactionState.IDLE;
  }

  @Override
  public void commit() throws SQLException {
    try {
      immediate.beforeCommit(session);
    } catch (SQLException e) {
      rollBackFailedCommit(e);
      throw e;
    }
    delegate.commit();
    immediate.ended();
  }

  /**
   * A COMMIT whose maintenance failed rolls the transaction back, as PostgreSQL does when a
   * deferred constraint fails at COMMIT (and as the proxy does), instead of leaving it aborted.
   */
  private void rollBackFailedCommit(SQLException e) {
    try (Statement st = delegate.createStatement()) {
      st.execute("ROLLBACK");
    } catch (SQLException rollbackFailure) {
      e.addSuppressed(rollbackFailure);
    }
    immediate.ended();
  }

  @Override
  public void rollback() throws SQLException {
    try {
      delegate.rollback();
    } finally {
      immediate.ended();
    }
  }

  @Override
  public void rollback(Savepoint savepoint) throws SQLException {
    delegate.rollback(savepoint);
    immediate.rolledBackToSavepoint();
  }

  @Override
  public void setAutoCommit(boolean autoCommit) throws SQLException {
    if (autoCommit && !delegate.getAutoCommit()) {
      // Switching autocommit on commits the open transaction.
      immediate.beforeCommit(session);
      delegate.setAutoCommit(true);
      immediate.ended();
      return;
    }
    delegate.setAutoCommit(autoCommit);
  }

  @Override
  protected Statement doCreateStatement(StatementOptions options) throws SQLException {
    return new PgTrickleStatement(options.createStatement(delegate), this);
  }

  @Override
  protected PreparedStatement doPrepareStatement(String sql, PrepareOptions options)
      throws SQLException {
    Optional<ApiCall> call = recognize(sql, true);
    if (call.isEmpty()) {
      return new ImmediatePreparedStatement(options.prepare(delegate, sql), this, sql);
    }
    // The server only ever sees the function-shaped result query; the call itself runs here.
    PreparedStatement result = options.prepare(delegate, resultQuery(call.get()));
    return new ApiPreparedStatement(result, this, sql, call.get());
  }

  /**
   * Finds an API call in {@code sql}. A malformed call is an error that, like any failed statement,
   * aborts an open transaction block.
   */
  Optional<ApiCall> recognize(String sql, boolean jdbcPlaceholders) throws SQLException {
    try {
      return ApiCallRecognizer.recognize(sql, jdbcPlaceholders);
    } catch (PgTrickleException e) {
      throw rejected(e);
    }
  }

  /** An error found before a call could run; aborts an open transaction block like any error. */
  PgTrickleException rejected(PgTrickleException e) {
    return ApiExecutor.rejected(session, e);
  }

  /**
   * Carries out an API call on this connection, in its current transaction.
   *
   * @param parameterValues the values bound to the call's parameters, in order
   */
  void executeApi(ApiCall call, List<Object> parameterValues) throws SQLException {
    try {
      ApiExecutor.execute(session, call, parameterValues);
    } finally {
      // The call may have created, altered or dropped an IMMEDIATE stream table.
      immediate.invalidate();
    }
  }

  /**
   * The query that produces what the client expects from the call: one row, one {@code void} column
   * named like the function (or the alias given), as PostgreSQL returns for a void function.
   */
  static String resultQuery(ApiCall call) {
    return "SELECT NULL::void AS " + Identifiers.quote(call.resultColumn());
  }
}
