package io.pgtrickle.driver;

import io.pgtrickle.driver.jdbc.DelegatingConnection;
import io.pgtrickle.driver.jdbc.PrepareOptions;
import io.pgtrickle.driver.jdbc.StatementOptions;
import io.pgtrickle.engine.api.ApiExecutor;
import io.pgtrickle.engine.session.JdbcSqlSession;
import io.pgtrickle.errors.PgTrickleException;
import io.pgtrickle.sql.api.ApiCall;
import io.pgtrickle.sql.api.ApiCallRecognizer;
import io.pgtrickle.sql.lex.Identifiers;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;

/**
 * A pgjdbc connection with the pg_trickle API: statements and prepared statements whose SQL is a
 * {@code pgtrickle.*} write call are carried out by the engine on this connection; everything else
 * goes to pgjdbc untouched.
 */
public final class PgTrickleConnection extends DelegatingConnection {
  private final JdbcSqlSession session;

  PgTrickleConnection(Connection pgjdbc) {
    super(pgjdbc);
    this.session = new JdbcSqlSession(pgjdbc);
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
      return super.doPrepareStatement(sql, options);
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
    ApiExecutor.execute(session, call, parameterValues);
  }

  /**
   * The query that produces what the client expects from the call: one row, one {@code void} column
   * named like the function (or the alias given), as PostgreSQL returns for a void function.
   */
  static String resultQuery(ApiCall call) {
    return "SELECT NULL::void AS " + Identifiers.quote(call.resultColumn());
  }
}
