package io.pgtrickle.engine.api;

import io.pgtrickle.engine.catalog.Dependency;
import io.pgtrickle.engine.catalog.StreamTable;
import io.pgtrickle.engine.catalog.StreamTables;
import io.pgtrickle.engine.cdc.ChangeBuffers;
import io.pgtrickle.engine.refresh.RunningTotals;
import io.pgtrickle.engine.session.SqlSession;
import io.pgtrickle.errors.PgTrickleException;
import io.pgtrickle.errors.SqlState;
import io.pgtrickle.sql.lex.QualifiedName;
import java.sql.SQLException;
import java.util.List;

/**
 * {@code drop_stream_table}: remove the catalog entry and the storage table. Refused while other
 * stream tables read it (drop those first), like {@code DROP TABLE} without CASCADE; plain views on
 * the storage table go with it, as pg_trickle documents.
 */
final class DropCommand {
  private DropCommand() {}

  static void run(SqlSession s, QualifiedName name) throws SQLException {
    StreamTable st = StreamTables.require(s, name, true);
    if (st.relid() != 0) {
      List<String> dependents = StreamTables.dependents(s, st.relid());
      dependents.remove(st.displayName());
      if (!dependents.isEmpty()) {
        throw PgTrickleException.builder(
                SqlState.DEPENDENT_OBJECTS_STILL_EXIST,
                "cannot drop stream table "
                    + st.displayName()
                    + " because other stream tables depend on it")
            .detail("Read by " + String.join(", ", dependents) + ".")
            .hint("Drop the dependent stream tables first.")
            .build();
      }
    }
    List<Dependency> sources = StreamTables.dependencies(s, st.id());
    s.update("DELETE FROM pgtrickle.pgt_stream_tables WHERE pgt_id = ?::bigint", st.id());
    if (st.relid() != 0) {
      s.rawUpdate("DROP TABLE " + st.sqlName() + " CASCADE");
    }
    RunningTotals.drop(s, st.id());
    for (Dependency d : sources) {
      ChangeBuffers.dropIfUnused(s, d.relid());
    }
  }
}
