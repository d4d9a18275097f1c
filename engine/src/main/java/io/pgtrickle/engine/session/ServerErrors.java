package io.pgtrickle.engine.session;

import io.pgtrickle.errors.PgTrickleException;
import java.sql.SQLException;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/** Turns pgjdbc's server errors into {@link PgTrickleException}s that keep every field. */
public final class ServerErrors {
  private ServerErrors() {}

  /**
   * The same error as a {@link PgTrickleException} marked as raised by the server, or {@code e}
   * itself when it did not come from the server (an I/O error, say).
   */
  public static SQLException translate(SQLException e) {
    if (!(e instanceof PSQLException pe) || pe.getServerErrorMessage() == null) {
      return e;
    }
    ServerErrorMessage m = pe.getServerErrorMessage();
    String state = m.getSQLState() != null ? m.getSQLState() : pe.getSQLState();
    String message = m.getMessage() != null ? m.getMessage() : pe.getMessage();
    return PgTrickleException.builder(state == null ? "XX000" : state, message)
        .hint(m.getHint())
        .detail(m.getDetail())
        .position(m.getPosition())
        .internal(m.getInternalPosition(), m.getInternalQuery())
        .cause(pe)
        .raisedByServer()
        .build();
  }
}
