package io.pgtrickle.engine.api;

import io.pgtrickle.engine.catalog.Dependency;
import io.pgtrickle.engine.catalog.StreamTable;
import io.pgtrickle.engine.cdc.ChangeBuffers;
import io.pgtrickle.engine.cdc.Frontiers;
import io.pgtrickle.engine.query.AnalyzedQuery;
import io.pgtrickle.engine.query.IncrementalPlan;
import io.pgtrickle.engine.refresh.RunningTotals;
import io.pgtrickle.engine.session.Row;
import io.pgtrickle.engine.session.SqlSession;
import io.pgtrickle.errors.PgTrickleException;
import io.pgtrickle.errors.SqlState;
import io.pgtrickle.sql.delta.DeltaGenerator;
import io.pgtrickle.sql.lex.Identifiers;
import java.sql.SQLException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Starting and stopping incremental maintenance of a stream table: the change buffers of its
 * sources, their frontiers, and the index its refreshes find rows by.
 */
final class Maintenance {
  private Maintenance() {}

  /**
   * Installs change capture on every source and marks the stream table as their consumer. The
   * frontiers set here are placeholders: the full population that must follow moves them to the
   * snapshot it read (an unpopulated stream table's first refresh is a full one).
   */
  static void start(SqlSession s, StreamTable st, AnalyzedQuery analyzed) throws SQLException {
    IncrementalPlan plan =
        IncrementalPlan.of(s, analyzed.canonical(), analyzed.columns(), analyzed.sources());
    index(s, st, plan, analyzed);
    if (plan.shape().strategy() == DeltaGenerator.Strategy.ALGEBRAIC) {
      RunningTotals.create(s, st.id(), plan.block());
    } else {
      RunningTotals.drop(s, st.id());
    }
    for (Dependency d : analyzed.sources()) {
      ChangeBuffers.ensure(s, d.relid());
    }
    Row now = s.queryOne("SELECT pg_current_snapshot()::text, pg_current_xact_id()::text");
    Frontiers.resetAll(s, st.id(), now.text(0), now.text(1));
  }

  /** The incremental plan of an analysed query, if the caller may also capture its changes. */
  static IncrementalPlan plan(SqlSession s, AnalyzedQuery analyzed) throws SQLException {
    IncrementalPlan plan =
        IncrementalPlan.of(s, analyzed.canonical(), analyzed.columns(), analyzed.sources());
    checkCapture(s, analyzed.sources());
    return plan;
  }

  /**
   * Checks that the caller can capture changes of every source: install triggers on it (owner or
   * TRIGGER privilege) or, when another stream table installed them already, read its buffer.
   *
   * @throws PgTrickleException 42501 naming the source
   */
  static void checkCapture(SqlSession s, List<Dependency> sources) throws SQLException {
    for (Dependency d : sources) {
      boolean allowed =
          ChangeBuffers.exists(s, d.relid())
              ? s.queryOne(
                      "SELECT has_table_privilege(?, 'SELECT')",
                      ChangeBuffers.bufferName(d.relid()))
                  .bool(0)
              : s.queryOne("SELECT has_table_privilege(?::oid, 'TRIGGER')", d.relid()).bool(0);
      if (!allowed) {
        throw PgTrickleException.builder(
                SqlState.INSUFFICIENT_PRIVILEGE,
                "cannot capture changes of " + d.displayName() + ": permission denied")
            .hint(
                "DIFFERENTIAL maintenance installs triggers on its sources: the table's owner can"
                    + " GRANT TRIGGER ON "
                    + d.displayName()
                    + " to you, or create the stream table.")
            .build();
      }
    }
  }

  /**
   * Stops maintaining a stream table incrementally: it consumes no buffer any more and its running
   * totals go. The caller drops the buffers no one consumes then.
   */
  static void stop(SqlSession s, StreamTable st) throws SQLException {
    Frontiers.clear(s, st.id());
    RunningTotals.drop(s, st.id());
  }

  /**
   * The index refreshes look rows up by: the row identity for row-by-row maintenance, the key
   * columns for keyed recomputation (none for an aggregate without GROUP BY).
   */
  private static void index(
      SqlSession s, StreamTable st, IncrementalPlan plan, AnalyzedQuery analyzed)
      throws SQLException {
    String name = Identifiers.quote("__pgt_key_" + st.id());
    s.rawUpdate("DROP INDEX IF EXISTS " + Identifiers.quote(st.schema()) + "." + name);
    String on;
    if (plan.shape().strategy() == DeltaGenerator.Strategy.ZSET) {
      on = "(pgtrickle.row_key(" + Identifiers.quote(st.name()) + "))";
    } else {
      List<String> keys = plan.shape().keyColumns();
      if (keys.isEmpty()) {
        return;
      }
      on = keys.stream().map(Identifiers::quote).collect(Collectors.joining(", ", "(", ")"));
    }
    s.rawUpdate("CREATE INDEX " + name + " ON " + st.sqlName() + " " + on);
  }
}
