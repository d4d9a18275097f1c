package io.pgtrickle.engine.session;

import java.sql.SQLException;
import java.util.List;

/**
 * A connection to PostgreSQL as the engine sees it: statements with {@code ?} placeholders whose
 * values are sent as text of unspecified type (cast in the SQL where the type matters), results as
 * text rows, and the transaction state.
 *
 * <p>Implementations send only PgBouncer-safe statements: unnamed prepared statements, no session
 * state that outlives a transaction.
 */
public interface SqlSession {

  /** Runs a statement that returns rows. Parameters are String, Number, Boolean or null. */
  List<Row> query(String sql, Object... params) throws SQLException;

  /** Runs a statement and returns its row count (0 for DDL). */
  long update(String sql, Object... params) throws SQLException;

  /**
   * Runs a statement sent exactly as written: no placeholders, so a {@code ?} in it (a jsonb
   * operator in a user's query, say) stays what it is. Use for every statement that embeds user
   * SQL.
   */
  List<Row> rawQuery(String sql) throws SQLException;

  /** Like {@link #rawQuery} for a statement whose row count is wanted (0 for DDL). */
  long rawUpdate(String sql) throws SQLException;

  /** Whether an explicit transaction block is open (the caller's or one begun here). */
  boolean inTransaction() throws SQLException;

  /** Opens a transaction block; only valid when {@link #inTransaction()} is false. */
  void begin() throws SQLException;

  /** Commits the block opened by {@link #begin()}. */
  void commit() throws SQLException;

  /** Rolls back the block opened by {@link #begin()}. */
  void rollback() throws SQLException;

  /**
   * Rolls back after {@code failure}, which stays the error to report: a failure of the rollback
   * itself is added to it as suppressed.
   */
  default void rollbackAfter(Throwable failure) {
    try {
      rollback();
    } catch (SQLException e) {
      failure.addSuppressed(e);
    }
  }

  /**
   * Whether the statements of this session's client pass through an interceptor that maintains
   * IMMEDIATE stream tables in the writing transaction (the JDBC driver's do).
   */
  default boolean maintainsImmediate() {
    return false;
  }

  /** The first row of a query, or null when it returned none. */
  default Row queryOne(String sql, Object... params) throws SQLException {
    List<Row> rows = query(sql, params);
    return rows.isEmpty() ? null : rows.get(0);
  }
}
