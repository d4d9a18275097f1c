package io.pgtrickle.engine.api;

import io.pgtrickle.engine.catalog.StreamTable;
import io.pgtrickle.engine.catalog.StreamTables;
import io.pgtrickle.engine.model.Status;
import io.pgtrickle.engine.refresh.InitiatedBy;
import io.pgtrickle.engine.refresh.Refresher;
import io.pgtrickle.engine.session.SqlSession;
import io.pgtrickle.errors.PgTrickleException;
import io.pgtrickle.errors.SqlState;
import io.pgtrickle.sql.lex.QualifiedName;
import java.sql.SQLException;

/** {@code refresh_stream_table} and {@code resume_stream_table}. */
final class RefreshCommand {
  private RefreshCommand() {}

  /**
   * Refreshes now, in the caller's transaction. The catalog row is locked first, so a concurrent
   * refresh of the same stream table waits for this one instead of racing it.
   */
  static void refresh(SqlSession s, QualifiedName name) throws SQLException {
    StreamTable st = StreamTables.requireForRefresh(s, name, Refresher.LOCK_CLASS);
    if (st.status() == Status.SUSPENDED) {
      throw PgTrickleException.builder(
              SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE,
              "stream table " + st.displayName() + " is suspended")
          .hint("Resume it first: SELECT pgtrickle.resume_stream_table('" + st.name() + "').")
          .build();
    }
    if (st.relid() == 0) {
      throw PgTrickleException.builder(
              SqlState.UNDEFINED_TABLE,
              "the storage table of stream table " + st.displayName() + " no longer exists")
          .hint("Drop the stream table with pgtrickle.drop_stream_table and create it again.")
          .build();
    }
    Refresher.refreshLocked(s, st, InitiatedBy.MANUAL);
  }

  /** Sets a SUSPENDED stream table ACTIVE again and clears its error streak. */
  static void resume(SqlSession s, QualifiedName name) throws SQLException {
    StreamTable st = StreamTables.require(s, name, true);
    if (st.status() != Status.SUSPENDED) {
      throw PgTrickleException.builder(
              SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE,
              "stream table " + st.displayName() + " is not suspended")
          .detail("Its status is " + st.status() + ".")
          .build();
    }
    s.update(
        "UPDATE pgtrickle.pgt_stream_tables SET status = 'ACTIVE', consecutive_errors = 0,"
            + " updated_at = now() WHERE pgt_id = ?::bigint",
        st.id());
  }
}
