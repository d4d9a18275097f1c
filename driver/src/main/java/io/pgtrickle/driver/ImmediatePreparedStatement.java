package io.pgtrickle.driver;

import io.pgtrickle.driver.jdbc.DelegatingPreparedStatement;
import io.pgtrickle.engine.immediate.ImmediateInterceptor;
import io.pgtrickle.sql.dml.StatementClass;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A prepared statement whose executions go through the connection's IMMEDIATE maintenance; the
 * statement's text is classified once, when it is prepared.
 */
final class ImmediatePreparedStatement extends DelegatingPreparedStatement<PreparedStatement> {
  private final PgTrickleConnection owner;
  private final StatementClass statementClass;

  ImmediatePreparedStatement(PreparedStatement delegate, PgTrickleConnection owner, String sql) {
    super(delegate, owner, sql);
    this.owner = owner;
    this.statementClass = ImmediateInterceptor.classifyPrepared(sql);
  }

  @Override
  public boolean execute() throws SQLException {
    return owner.intercepted(statementClass, super::execute);
  }

  @Override
  public ResultSet executeQuery() throws SQLException {
    return owner.intercepted(statementClass, super::executeQuery);
  }

  @Override
  public int executeUpdate() throws SQLException {
    return owner.intercepted(statementClass, super::executeUpdate);
  }

  @Override
  public long executeLargeUpdate() throws SQLException {
    return owner.intercepted(statementClass, super::executeLargeUpdate);
  }

  @Override
  public int[] executeBatch() throws SQLException {
    return owner.intercepted(statementClass, super::executeBatch);
  }

  @Override
  public long[] executeLargeBatch() throws SQLException {
    return owner.intercepted(statementClass, super::executeLargeBatch);
  }
}
