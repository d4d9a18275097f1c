package io.pgtrickle.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.testing.Sql;
import io.pgtrickle.testing.StreamTableOracle;
import io.pgtrickle.testing.TestDatabase;
import java.io.StringReader;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.postgresql.PGConnection;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;

/**
 * One client's statements sent twice, with the same pgjdbc settings: through the proxy to tables
 * that feed IMMEDIATE stream tables, and straight to PostgreSQL to twin tables of the same names in
 * another schema that feed nothing. Every reply the client sees through the proxy (results, row
 * counts, errors, transaction status) must equal PostgreSQL's own for the same statement on the
 * same data; and after every step each stream table must equal its query, read through the proxy
 * inside the client's transaction and, when no transaction is open, from another connection too.
 */
final class MirroredClient implements AutoCloseable {
  /** What one side answered to one step. */
  record Reply(List<String> results, String error, TransactionState status) {
    boolean failed() {
      return error != null;
    }
  }

  /** One step of the client, run on either side's connection. */
  @FunctionalInterface
  interface Step {
    /**
     * Runs the step and returns what the client saw, in text.
     *
     * @param side 0 through the proxy, 1 straight to PostgreSQL
     */
    List<String> run(Connection c, int side) throws SQLException;
  }

  /**
   * pgjdbc's socket timeout for connections through the proxy: a hang guard, so that a proxy that
   * never answers fails one test instead of the build; never reached by a working proxy.
   */
  static final String HANG_GUARD = "socketTimeout=30";

  private final Connection[] sides;
  private final Connection observer;
  private final String sourceSchema;
  private final String twinSchema;
  private final List<String> sourceTables;
  private final Map<String, String> streamTables;
  private final String context;
  private final List<Map<String, PreparedStatement>> prepared =
      List.of(new HashMap<>(), new HashMap<>());

  private MirroredClient(
      Connection proxied,
      Connection direct,
      Connection observer,
      String sourceSchema,
      String twinSchema,
      List<String> sourceTables,
      Map<String, String> streamTables,
      String context) {
    this.sides = new Connection[] {proxied, direct};
    this.observer = observer;
    this.sourceSchema = sourceSchema;
    this.twinSchema = twinSchema;
    this.sourceTables = List.copyOf(sourceTables);
    this.streamTables = Collections.unmodifiableMap(new LinkedHashMap<>(streamTables));
    this.context = context;
  }

  /**
   * Opens the two connections, both with {@code urlParameters}; the direct one's {@code
   * search_path} is {@code twinSchema}.
   *
   * @param sourceTables the tables to compare with their twins whenever no transaction is open
   * @param streamTables stream table name to defining query, checked after every step
   * @param context printed with every failure, e.g. the mode and the seed
   */
  static MirroredClient open(
      TestProxy proxy,
      TestDatabase db,
      String urlParameters,
      String twinSchema,
      List<String> sourceTables,
      Map<String, String> streamTables,
      String context)
      throws SQLException {
    Connection proxied = proxy.connect(guarded(urlParameters));
    String directUrl =
        db.jdbcUrl()
            + "?"
            + (urlParameters.isEmpty() ? "" : urlParameters + "&")
            + "currentSchema="
            + twinSchema;
    Connection direct = DriverManager.getConnection(directUrl, db.properties());
    Connection observer = db.connect();
    String sourceSchema = Sql.string(proxied, "SELECT current_schema()");
    // The twins start equal to the sources, whatever an earlier failure left behind.
    try (Statement st = observer.createStatement()) {
      for (String table : sourceTables) {
        st.execute("TRUNCATE " + twinSchema + "." + table);
        st.execute(
            "INSERT INTO "
                + twinSchema
                + "."
                + table
                + " SELECT * FROM "
                + sourceSchema
                + "."
                + table);
      }
    }
    return new MirroredClient(
        proxied, direct, observer, sourceSchema, twinSchema, sourceTables, streamTables, context);
  }

  /** {@code urlParameters} with {@link #HANG_GUARD} added. */
  static String guarded(String urlParameters) {
    return urlParameters.isEmpty() ? HANG_GUARD : urlParameters + "&" + HANG_GUARD;
  }

  /** The connection through the proxy. */
  Connection proxied() {
    return sides[0];
  }

  /** The connection straight to PostgreSQL, on the twin tables. */
  Connection direct() {
    return sides[1];
  }

  /** Runs {@code sql} with {@code Statement.execute} on both sides and compares every result. */
  Reply execute(String sql) throws SQLException {
    return step(
        sql,
        (c, side) -> {
          try (Statement st = c.createStatement()) {
            return results(st, st.execute(sql));
          }
        });
  }

  /**
   * Runs {@code sql} as a {@code PreparedStatement} with {@code params}, reusing one statement
   * object per text on each side, so pgjdbc switches to a named server statement after its prepare
   * threshold.
   */
  Reply prepared(String sql, Object... params) throws SQLException {
    return step(
        sql + " " + Arrays.toString(params),
        (c, side) -> {
          PreparedStatement ps = prepared.get(side).get(sql);
          if (ps == null) {
            ps = c.prepareStatement(sql);
            prepared.get(side).put(sql, ps);
          }
          for (int i = 0; i < params.length; i++) {
            ps.setObject(i + 1, params[i]);
          }
          return results(ps, ps.execute());
        });
  }

  /** {@code Statement.executeBatch} of {@code sqls} on both sides. */
  Reply batch(List<String> sqls) throws SQLException {
    return step(
        "batch " + sqls,
        (c, side) -> {
          try (Statement st = c.createStatement()) {
            for (String sql : sqls) {
              st.addBatch(sql);
            }
            return batchResults(st);
          }
        });
  }

  /** {@code PreparedStatement.executeBatch} of {@code sql} with each of {@code rows}. */
  Reply preparedBatch(String sql, List<Object[]> rows) throws SQLException {
    return step(
        "prepared batch of " + rows.size() + ": " + sql,
        (c, side) -> {
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (Object[] row : rows) {
              for (int i = 0; i < row.length; i++) {
                ps.setObject(i + 1, row[i]);
              }
              ps.addBatch();
            }
            return batchResults(ps);
          }
        });
  }

  /** {@code COPY ... FROM STDIN} through pgjdbc's CopyManager, sending {@code data}. */
  Reply copyIn(String sql, String data) throws SQLException {
    return step(
        sql,
        (c, side) -> {
          try {
            long n = c.unwrap(PGConnection.class).getCopyAPI().copyIn(sql, new StringReader(data));
            return List.of("copy " + n);
          } catch (java.io.IOException e) {
            throw new SQLException(e);
          }
        });
  }

  /** {@code Connection.setAutoCommit} on both sides. */
  Reply setAutoCommit(boolean on) throws SQLException {
    return step(
        "setAutoCommit(" + on + ")",
        (c, side) -> {
          c.setAutoCommit(on);
          return List.of();
        });
  }

  /** {@code Connection.commit} on both sides. */
  Reply commit() throws SQLException {
    return step(
        "commit()",
        (c, side) -> {
          c.commit();
          return List.of();
        });
  }

  /** {@code Connection.rollback} on both sides. */
  Reply rollback() throws SQLException {
    return step(
        "rollback()",
        (c, side) -> {
          c.rollback();
          return List.of();
        });
  }

  /** {@code Connection.setSavepoint} on both sides; the array holds each side's savepoint. */
  Savepoint[] setSavepoint() throws SQLException {
    Savepoint[] sp = new Savepoint[2];
    step(
        "setSavepoint()",
        (c, side) -> {
          sp[side] = c.setSavepoint();
          return List.of();
        });
    return sp;
  }

  /** {@code Connection.rollback(Savepoint)} on both sides. */
  Reply rollback(Savepoint[] sp) throws SQLException {
    return step(
        "rollback(savepoint)",
        (c, side) -> {
          c.rollback(sp[side]);
          return List.of();
        });
  }

  /** {@code Connection.releaseSavepoint} on both sides. */
  Reply release(Savepoint[] sp) throws SQLException {
    return step(
        "releaseSavepoint()",
        (c, side) -> {
          c.releaseSavepoint(sp[side]);
          return List.of();
        });
  }

  /**
   * Runs {@code step} through the proxy and then directly, asserts that both replies are equal
   * (results, error and transaction status), then checks the stream tables; returns the reply.
   */
  Reply step(String label, Step step) throws SQLException {
    Reply proxiedReply = run(step, 0);
    Reply directReply = run(step, 1);
    assertThat(proxiedReply)
        .as("%s: the reply through the proxy to %s", context, label)
        .isEqualTo(directReply);
    check("after " + label);
    return proxiedReply;
  }

  /**
   * Asserts that every stream table equals its query through the proxy (unless the client's
   * transaction is aborted) and, when no transaction is open, from another connection too, and that
   * the sources equal their twins.
   */
  void check(String when) throws SQLException {
    TransactionState status = status(sides[0]);
    String where = context + ", " + when + " (" + status + ")";
    if (status != TransactionState.FAILED) {
      assertStreamTablesMatch(sides[0], where + ", read through the proxy");
    }
    if (status == TransactionState.IDLE) {
      assertStreamTablesMatch(observer, where + ", read on another connection");
      for (String table : sourceTables) {
        try {
          StreamTableOracle.assertMatchesQuery(
              observer, sourceSchema + "." + table, "SELECT * FROM " + twinSchema + "." + table);
        } catch (AssertionError e) {
          throw new AssertionError(where + ": source " + table + " differs from its twin", e);
        }
      }
    }
  }

  /** Asserts that every stream table equals its query on {@code c}, in its transaction. */
  void assertStreamTablesMatch(Connection c, String where) throws SQLException {
    for (Map.Entry<String, String> e : streamTables.entrySet()) {
      try {
        StreamTableOracle.assertMatchesQuery(c, e.getKey(), e.getValue());
      } catch (AssertionError failure) {
        throw new AssertionError(where + ": " + e.getKey() + " = " + e.getValue(), failure);
      }
    }
  }

  /** The transaction status of {@code c}'s last ReadyForQuery, as pgjdbc tracks it. */
  static TransactionState status(Connection c) throws SQLException {
    return c.unwrap(BaseConnection.class).getTransactionState();
  }

  private Reply run(Step step, int side) throws SQLException {
    Connection c = sides[side];
    try {
      return new Reply(step.run(c, side), null, status(c));
    } catch (SQLException e) {
      // A connection that died (a hang ended by the socket timeout, say) has no status.
      return new Reply(
          List.of(), e.getSQLState() + " " + e.getMessage(), c.isClosed() ? null : status(c));
    }
  }

  @Override
  public void close() throws SQLException {
    for (Map<String, PreparedStatement> statements : prepared) {
      for (PreparedStatement ps : statements.values()) {
        ps.close();
      }
    }
    for (Connection c : sides) {
      c.close();
    }
    observer.close();
  }

  /** Every result of an executed statement: row counts, and rows sorted (scan order may differ). */
  static List<String> results(Statement st, boolean hasRows) throws SQLException {
    List<String> out = new ArrayList<>();
    boolean rows = hasRows;
    while (true) {
      if (rows) {
        try (ResultSet rs = st.getResultSet()) {
          out.add("rows " + rows(rs));
        }
      } else {
        long n = st.getLargeUpdateCount();
        if (n == -1) {
          return out;
        }
        out.add("count " + n);
      }
      rows = st.getMoreResults();
    }
  }

  private static List<String> rows(ResultSet rs) throws SQLException {
    List<String> rows = new ArrayList<>();
    int columns = rs.getMetaData().getColumnCount();
    while (rs.next()) {
      StringBuilder row = new StringBuilder("(");
      for (int i = 1; i <= columns; i++) {
        row.append(i > 1 ? "," : "").append(rs.getString(i));
      }
      rows.add(row.append(')').toString());
    }
    rows.sort(null);
    return rows;
  }

  private static List<String> batchResults(Statement st) throws SQLException {
    try {
      return List.of("batch " + Arrays.toString(st.executeLargeBatch()));
    } catch (BatchUpdateException e) {
      SQLException cause = e.getNextException() == null ? e : e.getNextException();
      return List.of(
          "batch failed " + Arrays.toString(e.getLargeUpdateCounts()),
          "cause " + cause.getSQLState());
    }
  }
}
