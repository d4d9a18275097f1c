package io.pgtrickle.engine.session;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
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

  /**
   * Runs {@code statements} in order, for their effects only, in one round trip where the
   * implementation can: the engine's bookkeeping after a refresh is several small statements whose
   * results nobody reads. Stops at the first error and throws it. Meant for a transaction block,
   * which the error aborts as any failed statement does; outside one, whether the statements before
   * the error stay done is up to the implementation.
   */
  default void updateAll(List<Update> statements) throws SQLException {
    for (Update u : statements) {
      update(u.sql(), u.params().toArray());
    }
  }

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

  /**
   * One statement of {@link #updateAll}: SQL with {@code ?} placeholders and their values (String,
   * Number, Boolean or null), as {@link #update} takes them. It must be one statement.
   */
  record Update(String sql, List<Object> params) {
    /** Values may be null, so the list is copied rather than {@code List.copyOf}'d. */
    public Update {
      params = Collections.unmodifiableList(new ArrayList<>(params));
    }

    /** A statement and its parameter values, in order. */
    public static Update of(String sql, Object... params) {
      return new Update(sql, Arrays.asList(params));
    }
  }

  /** The first row of a query, or null when it returned none. */
  default Row queryOne(String sql, Object... params) throws SQLException {
    List<Row> rows = query(sql, params);
    return rows.isEmpty() ? null : rows.get(0);
  }
}
