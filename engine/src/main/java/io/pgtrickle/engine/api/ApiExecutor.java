package io.pgtrickle.engine.api;

import io.pgtrickle.engine.catalog.StreamTable;
import io.pgtrickle.engine.catalog.StreamTables;
import io.pgtrickle.engine.refresh.InitiatedBy;
import io.pgtrickle.engine.refresh.RefreshAction;
import io.pgtrickle.engine.refresh.RefreshHistory;
import io.pgtrickle.engine.session.SqlSession;
import io.pgtrickle.errors.PgTrickleException;
import io.pgtrickle.errors.SqlState;
import io.pgtrickle.sql.api.ApiCall;
import io.pgtrickle.sql.api.ApiFunction;
import io.pgtrickle.sql.api.ResolvedArgs;
import io.pgtrickle.sql.lex.Identifiers;
import io.pgtrickle.sql.lex.QualifiedName;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out a recognised API call on the caller's session.
 *
 * <p>Transactions behave as if the call were a PostgreSQL function: inside the caller's transaction
 * block the work joins it (so {@code BEGIN; create…; ROLLBACK} leaves nothing behind) and any error
 * aborts the block; outside one, the call runs in a transaction of its own that commits or rolls
 * back as a whole. A failed manual refresh outside a block is recorded in the refresh history
 * afterwards, in a second transaction.
 */
public final class ApiExecutor {
  private static final Logger LOG = LoggerFactory.getLogger(ApiExecutor.class);

  private ApiExecutor() {}

  /**
   * Executes {@code call} with the values bound to its parameters.
   *
   * @param parameterValues values of {@code ?}/{@code $n} parameters, in order; empty for a plain
   *     statement
   */
  public static void execute(SqlSession s, ApiCall call, List<Object> parameterValues)
      throws SQLException {
    boolean own = !s.inTransaction();
    if (own) {
      s.begin();
    }
    try {
      dispatch(s, call.function(), call.resolve(parameterValues));
      if (own) {
        s.commit();
      }
    } catch (SQLException | RuntimeException e) {
      if (own) {
        s.rollbackAfter(e);
        if (call.function() == ApiFunction.REFRESH_STREAM_TABLE && ranOnServer(e)) {
          recordFailedRefresh(s, call, parameterValues, e);
        }
      } else if (!(e instanceof PgTrickleException pe && pe.raisedByServer())) {
        abortCallerTransaction(s, e);
      }
      throw e;
    }
  }

  /**
   * Reports an error found in a call before it could be executed (it did not parse, say): inside
   * the caller's transaction block the block is aborted, as PostgreSQL aborts it for any failed
   * statement. Returns the error for the caller to throw.
   */
  public static PgTrickleException rejected(SqlSession s, PgTrickleException error) {
    try {
      if (s.inTransaction()) {
        abortCallerTransaction(s, error);
      }
    } catch (SQLException e) {
      error.addSuppressed(e);
    }
    return error;
  }

  private static void dispatch(SqlSession s, ApiFunction fn, ResolvedArgs a) throws SQLException {
    QualifiedName name = Identifiers.parseQualifiedName(a.text("name"));
    switch (fn) {
      case CREATE_STREAM_TABLE,
          CREATE_STREAM_TABLE_IF_NOT_EXISTS,
          CREATE_OR_REPLACE_STREAM_TABLE -> {
        StreamTableOptions options =
            StreamTableOptions.parse(
                a.text("schedule"),
                a.text("refresh_mode"),
                flag(a, "initialize", true),
                a.text("diamond_consistency"),
                a.text("diamond_schedule_policy"),
                a.text("cdc_mode"),
                flag(a, "append_only", false),
                flag(a, "pooler_compatibility_mode", false));
        CreateCommand.IfExists ifExists =
            switch (fn) {
              case CREATE_STREAM_TABLE_IF_NOT_EXISTS -> CreateCommand.IfExists.SKIP;
              case CREATE_OR_REPLACE_STREAM_TABLE -> CreateCommand.IfExists.REPLACE;
              default -> CreateCommand.IfExists.ERROR;
            };
        AlterCommand.Changes replacement =
            ifExists == CreateCommand.IfExists.REPLACE
                ? AlterCommand.Changes.parse(
                    a.text("query"),
                    a.text("schedule"),
                    a.text("refresh_mode"),
                    null,
                    a.text("diamond_consistency"),
                    a.text("diamond_schedule_policy"),
                    a.text("cdc_mode"),
                    a.bool("append_only"),
                    a.bool("pooler_compatibility_mode"),
                    null)
                : null;
        CreateCommand.run(s, name, a.text("query"), options, ifExists, replacement);
      }
      case ALTER_STREAM_TABLE ->
          AlterCommand.run(
              s,
              name,
              AlterCommand.Changes.parse(
                  a.text("query"),
                  a.text("schedule"),
                  a.text("refresh_mode"),
                  a.text("status"),
                  a.text("diamond_consistency"),
                  a.text("diamond_schedule_policy"),
                  a.text("cdc_mode"),
                  a.bool("append_only"),
                  a.bool("pooler_compatibility_mode"),
                  a.text("tier")));
      case DROP_STREAM_TABLE -> DropCommand.run(s, name);
      case REFRESH_STREAM_TABLE -> RefreshCommand.refresh(s, name);
      case RESUME_STREAM_TABLE -> RefreshCommand.resume(s, name);
    }
  }

  /** A boolean parameter, with SQL NULL read as the parameter's default. */
  private static boolean flag(ResolvedArgs a, String param, boolean ifNull) {
    Boolean v = a.bool(param);
    return v == null ? ifNull : v;
  }

  /**
   * Whether the error came from running the refresh, as opposed to a check that stopped it from
   * running (unknown name, suspended): only the former belongs in the refresh history.
   */
  private static boolean ranOnServer(Throwable e) {
    return e instanceof PgTrickleException pe ? pe.raisedByServer() : e instanceof SQLException;
  }

  /**
   * Aborts the caller's transaction block with the same error, as a failing function would: the
   * error was found before anything reached the server, which would otherwise let the block go on
   * and commit.
   */
  private static void abortCallerTransaction(SqlSession s, Throwable e) {
    PgTrickleException pe =
        e instanceof PgTrickleException p
            ? p
            : PgTrickleException.of(SqlState.INTERNAL_ERROR, String.valueOf(e.getMessage()));
    try {
      s.query(
          "SELECT pgtrickle._raise(?, ?, ?, ?)",
          pe.getSQLState(),
          pe.getMessage(),
          pe.detail(),
          pe.hint());
    } catch (SQLException expected) {
      // The raise is the point: the block is now aborted.
    }
  }

  private static void recordFailedRefresh(
      SqlSession s, ApiCall call, List<Object> values, Throwable failure) {
    try {
      QualifiedName name = Identifiers.parseQualifiedName(call.resolve(values).text("name"));
      s.begin();
      try {
        Optional<StreamTable> st = StreamTables.find(s, name, false);
        if (st.isPresent()) {
          RefreshHistory.failed(
              s,
              st.get().id(),
              // What the refresh would have done: the history says which kind failed.
              st.get().incremental() && st.get().populated()
                  ? RefreshAction.DIFFERENTIAL
                  : RefreshAction.FULL,
              InitiatedBy.MANUAL,
              String.valueOf(failure.getMessage()));
        }
        s.commit();
      } catch (SQLException | RuntimeException e) {
        s.rollback();
        throw e;
      }
    } catch (SQLException | RuntimeException e) {
      // The refresh's own error is what the caller needs to see; keep this one attached.
      LOG.debug("could not record failed refresh", e);
      failure.addSuppressed(e);
    }
  }
}
