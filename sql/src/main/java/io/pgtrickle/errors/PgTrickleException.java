package io.pgtrickle.errors;

import java.sql.SQLException;
import java.util.Objects;

/**
 * An error pg_trickle reports to the user: a SQLSTATE, a message that names the object and the
 * cause, and optionally a hint and a position.
 *
 * <p>The position follows PostgreSQL's ErrorResponse fields: {@link #position()} is a 1-based
 * character offset into the client's statement, {@link #internalPosition()} one into {@link
 * #internalQuery()}, the text we ran on the client's behalf (for example the defining query of a
 * stream table). Zero means "no position".
 */
public final class PgTrickleException extends SQLException {
  private static final long serialVersionUID = 1L;

  private final String hint;
  private final String detail;
  private final int position;
  private final int internalPosition;
  private final String internalQuery;
  private final boolean raisedByServer;

  private PgTrickleException(Builder b) {
    super(b.message, b.sqlState, b.cause);
    this.hint = b.hint;
    this.detail = b.detail;
    this.position = b.position;
    this.internalPosition = b.internalPosition;
    this.internalQuery = b.internalQuery;
    this.raisedByServer = b.raisedByServer;
  }

  /** Starts an error with the given state and message. */
  public static Builder builder(String sqlState, String message) {
    return new Builder(sqlState, message);
  }

  /** Starts an error with the given state and message. */
  public static Builder builder(SqlState state, String message) {
    return new Builder(state.code(), message);
  }

  /** A finished error with no hint. */
  public static PgTrickleException of(SqlState state, String message) {
    return builder(state, message).build();
  }

  /** A hint that tells the user what to do, or null. */
  public String hint() {
    return hint;
  }

  /** A detail line, or null. */
  public String detail() {
    return detail;
  }

  /** The 1-based character position in the client's statement, or 0. */
  public int position() {
    return position;
  }

  /** The 1-based character position in {@link #internalQuery()}, or 0. */
  public int internalPosition() {
    return internalPosition;
  }

  /** The statement {@link #internalPosition()} refers to, or null. */
  public String internalQuery() {
    return internalQuery;
  }

  /**
   * Whether PostgreSQL raised this error (so a transaction it happened in is already aborted), as
   * opposed to pg_trickle detecting it before sending anything.
   */
  public boolean raisedByServer() {
    return raisedByServer;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("ERROR: ").append(getMessage());
    sb.append(" (SQLSTATE ").append(getSQLState()).append(')');
    if (detail != null) {
      sb.append("\n  Detail: ").append(detail);
    }
    if (hint != null) {
      sb.append("\n  Hint: ").append(hint);
    }
    if (position > 0) {
      sb.append("\n  Position: ").append(position);
    }
    if (internalPosition > 0) {
      sb.append("\n  Internal position: ").append(internalPosition);
    }
    return sb.toString();
  }

  /** Builds a {@link PgTrickleException}. */
  public static final class Builder {
    private final String sqlState;
    private final String message;
    private String hint;
    private String detail;
    private int position;
    private int internalPosition;
    private String internalQuery;
    private Throwable cause;
    private boolean raisedByServer;

    private Builder(String sqlState, String message) {
      this.sqlState = Objects.requireNonNull(sqlState, "sqlState");
      this.message = Objects.requireNonNull(message, "message");
    }

    /** Sets the hint. */
    public Builder hint(String hint) {
      this.hint = hint;
      return this;
    }

    /** Sets the detail line. */
    public Builder detail(String detail) {
      this.detail = detail;
      return this;
    }

    /** Sets the 1-based position in the client's statement. */
    public Builder position(int position) {
      this.position = position;
      return this;
    }

    /** Sets the 1-based position in an internal query and that query. */
    public Builder internal(int position, String query) {
      this.internalPosition = position;
      this.internalQuery = query;
      return this;
    }

    /** Chains the underlying cause. */
    public Builder cause(Throwable cause) {
      this.cause = cause;
      return this;
    }

    /** Marks the error as reported by PostgreSQL. */
    public Builder raisedByServer() {
      this.raisedByServer = true;
      return this;
    }

    /** The finished exception. */
    public PgTrickleException build() {
      return new PgTrickleException(this);
    }
  }
}
