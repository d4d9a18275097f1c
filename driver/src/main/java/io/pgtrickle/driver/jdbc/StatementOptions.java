package io.pgtrickle.driver.jdbc;

import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;

/**
 * Which {@code Connection.createStatement} or {@code prepareCall} overload an application called,
 * so that the same call can be replayed on another connection or with rewritten SQL. Both methods
 * have the same three shapes. Components the overload does not take are {@code 0}.
 *
 * @param overload the overload that was called
 * @param resultSetType {@code ResultSet.TYPE_*}, for the two result-set overloads
 * @param resultSetConcurrency {@code ResultSet.CONCUR_*}, for the two result-set overloads
 * @param resultSetHoldability {@code ResultSet.*_CURSORS_*}, for the holdability overload
 */
public record StatementOptions(
    Overload overload, int resultSetType, int resultSetConcurrency, int resultSetHoldability) {

  /** The overloads, named after the arguments they take besides the SQL. */
  public enum Overload {
    DEFAULTS,
    TYPE_AND_CONCURRENCY,
    TYPE_CONCURRENCY_AND_HOLDABILITY
  }

  public StatementOptions {
    Objects.requireNonNull(overload, "overload");
  }

  /** {@code createStatement()} or {@code prepareCall(sql)}. */
  public static StatementOptions defaults() {
    return new StatementOptions(Overload.DEFAULTS, 0, 0, 0);
  }

  /** The overloads taking {@code resultSetType, resultSetConcurrency}. */
  public static StatementOptions resultSet(int resultSetType, int resultSetConcurrency) {
    return new StatementOptions(
        Overload.TYPE_AND_CONCURRENCY, resultSetType, resultSetConcurrency, 0);
  }

  /** The overloads taking {@code resultSetType, resultSetConcurrency, resultSetHoldability}. */
  public static StatementOptions resultSet(
      int resultSetType, int resultSetConcurrency, int resultSetHoldability) {
    return new StatementOptions(
        Overload.TYPE_CONCURRENCY_AND_HOLDABILITY,
        resultSetType,
        resultSetConcurrency,
        resultSetHoldability);
  }

  /** Calls the {@code createStatement} overload these options describe on {@code target}. */
  public Statement createStatement(Connection target) throws SQLException {
    return switch (overload) {
      case DEFAULTS -> target.createStatement();
      case TYPE_AND_CONCURRENCY -> target.createStatement(resultSetType, resultSetConcurrency);
      case TYPE_CONCURRENCY_AND_HOLDABILITY ->
          target.createStatement(resultSetType, resultSetConcurrency, resultSetHoldability);
    };
  }

  /** Calls the {@code prepareCall} overload these options describe on {@code target}. */
  public CallableStatement prepareCall(Connection target, String sql) throws SQLException {
    return switch (overload) {
      case DEFAULTS -> target.prepareCall(sql);
      case TYPE_AND_CONCURRENCY -> target.prepareCall(sql, resultSetType, resultSetConcurrency);
      case TYPE_CONCURRENCY_AND_HOLDABILITY ->
          target.prepareCall(sql, resultSetType, resultSetConcurrency, resultSetHoldability);
    };
  }
}
