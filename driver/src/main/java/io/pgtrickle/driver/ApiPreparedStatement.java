package io.pgtrickle.driver;

import io.pgtrickle.driver.jdbc.DelegatingPreparedStatement;
import io.pgtrickle.errors.PgTrickleException;
import io.pgtrickle.errors.SqlState;
import io.pgtrickle.sql.api.ApiCall;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A prepared {@code pgtrickle.*} write call. Parameter values are kept here rather than bound on
 * the server; executing it carries out the call with them, then runs the prepared result query so
 * the application gets the function's ordinary result.
 */
final class ApiPreparedStatement extends DelegatingPreparedStatement<PreparedStatement> {
  private static final Object UNSET = new Object();

  private final PgTrickleConnection owner;
  private final ApiCall call;
  private final Object[] values;

  ApiPreparedStatement(
      PreparedStatement resultQuery, PgTrickleConnection owner, String sql, ApiCall call) {
    super(resultQuery, owner, sql);
    this.owner = owner;
    this.call = call;
    this.values = new Object[call.maxParameterIndex()];
    Arrays.fill(values, UNSET);
  }

  private void run() throws SQLException {
    List<Object> bound = new ArrayList<>(values.length);
    for (int i = 0; i < values.length; i++) {
      if (values[i] == UNSET) {
        throw owner.rejected(
            PgTrickleException.builder(
                    SqlState.INVALID_PARAMETER_VALUE, "No value specified for parameter " + (i + 1))
                .hint(
                    "Bind every parameter of the pgtrickle." + call.function().sqlName() + " call.")
                .build());
      }
      bound.add(values[i]);
    }
    owner.executeApi(call, bound);
  }

  private void bind(int index, Object value) throws SQLException {
    if (index < 1 || index > values.length) {
      throw PgTrickleException.of(
          SqlState.INVALID_PARAMETER_VALUE,
          "The column index is out of range: " + index + ", number of columns: " + values.length);
    }
    values[index - 1] = value;
  }

  // Execution

  @Override
  public boolean execute() throws SQLException {
    run();
    return super.execute();
  }

  @Override
  public ResultSet executeQuery() throws SQLException {
    run();
    return super.executeQuery();
  }

  @Override
  public int executeUpdate() throws SQLException {
    run();
    return super.executeUpdate();
  }

  @Override
  public long executeLargeUpdate() throws SQLException {
    run();
    return super.executeLargeUpdate();
  }

  @Override
  public void addBatch() throws SQLException {
    throw PgTrickleStatement.batchError();
  }

  // Parameters: the types an API argument can take (text and boolean)

  @Override
  public void clearParameters() throws SQLException {
    Arrays.fill(values, UNSET);
  }

  @Override
  public void setNull(int index, int sqlType) throws SQLException {
    bind(index, null);
  }

  @Override
  public void setNull(int index, int sqlType, String typeName) throws SQLException {
    bind(index, null);
  }

  @Override
  public void setString(int index, String x) throws SQLException {
    bind(index, x);
  }

  @Override
  public void setNString(int index, String x) throws SQLException {
    bind(index, x);
  }

  @Override
  public void setBoolean(int index, boolean x) throws SQLException {
    bind(index, x);
  }

  @Override
  public void setShort(int index, short x) throws SQLException {
    bind(index, x);
  }

  @Override
  public void setInt(int index, int x) throws SQLException {
    bind(index, x);
  }

  @Override
  public void setLong(int index, long x) throws SQLException {
    bind(index, x);
  }

  @Override
  public void setObject(int index, Object x) throws SQLException {
    bind(index, x);
  }

  @Override
  public void setObject(int index, Object x, int targetSqlType) throws SQLException {
    bind(index, x);
  }

  @Override
  public void setObject(int index, Object x, int targetSqlType, int scaleOrLength)
      throws SQLException {
    bind(index, x);
  }

  @Override
  public void setObject(int index, Object x, SQLType targetSqlType) throws SQLException {
    bind(index, x);
  }

  @Override
  public void setObject(int index, Object x, SQLType targetSqlType, int scaleOrLength)
      throws SQLException {
    bind(index, x);
  }
}
