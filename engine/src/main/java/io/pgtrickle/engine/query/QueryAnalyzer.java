package io.pgtrickle.engine.query;

import io.pgtrickle.engine.catalog.Dependency;
import io.pgtrickle.engine.catalog.SourceType;
import io.pgtrickle.engine.catalog.StreamTables;
import io.pgtrickle.engine.session.Row;
import io.pgtrickle.engine.session.SqlSession;
import io.pgtrickle.errors.PgTrickleException;
import io.pgtrickle.errors.SqlState;
import io.pgtrickle.sql.lex.Statements;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Asks PostgreSQL what a defining query means. The query becomes a temporary view for the length of
 * the analysis: PostgreSQL parses and resolves it exactly as it will when refreshing (search path,
 * views, functions, types), records in {@code pg_depend} which relations and columns it reads, and
 * reports errors with positions that we map back into the query. A zero-row read of the view then
 * checks that the caller may read every source. Must run inside a transaction: the view is dropped
 * before a successful return and rolled back with a failed one, so nothing outlives it.
 */
public final class QueryAnalyzer {
  private static final String PROBE = "pg_temp.__pgt_probe";
  private static final String PROBE_PREFIX = "CREATE TEMP VIEW __pgt_probe AS ";

  /**
   * Statements that parse but are not queries. Anything else that does not start like a query is
   * left for PostgreSQL to reject, so a typo gets its syntax error with a position.
   */
  private static final Set<String> COMMANDS =
      Set.of(
          "insert",
          "update",
          "delete",
          "merge",
          "create",
          "alter",
          "drop",
          "truncate",
          "copy",
          "grant",
          "revoke",
          "begin",
          "start",
          "commit",
          "end",
          "rollback",
          "abort",
          "savepoint",
          "release",
          "prepare",
          "execute",
          "deallocate",
          "explain",
          "analyze",
          "vacuum",
          "call",
          "do",
          "set",
          "reset",
          "show",
          "listen",
          "notify",
          "unlisten",
          "lock",
          "declare",
          "fetch",
          "move",
          "close",
          "discard",
          "reindex",
          "cluster",
          "checkpoint",
          "comment",
          "security",
          "load",
          "import",
          "refresh");

  private QueryAnalyzer() {}

  /**
   * Validates {@code query} for stream table {@code stName} and describes it.
   *
   * @param stName the stream table's display name, for messages
   */
  public static AnalyzedQuery analyze(SqlSession s, String stName, String query)
      throws SQLException {
    String text = checkShape(stName, query);
    try {
      s.rawUpdate(PROBE_PREFIX + text);
    } catch (PgTrickleException e) {
      throw rebase(e, stName, text);
    }
    List<OutputColumn> columns = new ArrayList<>();
    for (Row r :
        s.query(
            "SELECT attname, format_type(atttypid, atttypmod) FROM pg_catalog.pg_attribute"
                + " WHERE attrelid = '"
                + PROBE
                + "'::regclass AND attnum > 0 ORDER BY attnum")) {
      columns.add(new OutputColumn(r.text(0), r.text(1)));
    }
    List<Dependency> sources = sources(s, stName);
    try {
      s.query("SELECT FROM " + PROBE + " LIMIT 0");
    } catch (PgTrickleException e) {
      throw PgTrickleException.builder(
              e.getSQLState(), "cannot create stream table " + stName + ": " + e.getMessage())
          .hint(e.hint())
          .cause(e)
          .raisedByServer()
          .build();
    }
    String canonical = canonical(s);
    // On failure the transaction is rolled back and takes the view with it.
    s.update("DROP VIEW " + PROBE);
    return new AnalyzedQuery(text, canonical, columns, sources);
  }

  /**
   * The probe view's definition as PostgreSQL prints it with an empty search path, which qualifies
   * every table with its schema. The path is set for this transaction only and put back at once.
   */
  private static String canonical(SqlSession s) throws SQLException {
    String path = s.queryOne("SELECT current_setting('search_path')").text(0);
    s.query("SELECT set_config('search_path', '', true)");
    try {
      String def = s.queryOne("SELECT pg_get_viewdef('" + PROBE + "'::regclass, true)").text(0);
      return Statements.split(def).get(0).strip();
    } finally {
      s.query("SELECT set_config('search_path', ?, true)", path);
    }
  }

  /** Rejects what is not a single query before PostgreSQL sees it; returns the text to store. */
  static String checkShape(String stName, String query) throws PgTrickleException {
    List<String> statements = Statements.split(query);
    if (statements.isEmpty()) {
      throw PgTrickleException.builder(
              SqlState.INVALID_PARAMETER_VALUE,
              "the defining query of stream table " + stName + " is empty")
          .hint("Pass a SELECT statement as the query.")
          .build();
    }
    if (statements.size() > 1) {
      throw PgTrickleException.builder(
              SqlState.SYNTAX_ERROR,
              "the defining query of stream table " + stName + " must be a single statement")
          .hint("Remove the extra statements after the first semicolon.")
          .build();
    }
    String text = statements.get(0).strip();
    String keyword = Statements.firstKeyword(text);
    if (COMMANDS.contains(keyword)) {
      throw PgTrickleException.builder(
              SqlState.INVALID_PARAMETER_VALUE,
              "the defining query of stream table "
                  + stName
                  + " must be a SELECT statement, not "
                  + (keyword.isEmpty() ? "this" : keyword.toUpperCase(java.util.Locale.ROOT)))
          .hint("A stream table is defined by a query: SELECT, WITH … SELECT, VALUES or TABLE.")
          .build();
    }
    return text;
  }

  /** The same error with its position moved from our probe statement into the user's query. */
  private static PgTrickleException rebase(PgTrickleException e, String stName, String text) {
    int pos = e.position() - PROBE_PREFIX.length();
    PgTrickleException.Builder b =
        PgTrickleException.builder(
                e.getSQLState(),
                "invalid defining query for stream table "
                    + stName
                    + ": "
                    + e.getMessage()
                    + (pos > 0 ? " (at character " + pos + " of the query)" : ""))
            .hint(e.hint())
            .detail(e.detail())
            .cause(e)
            .raisedByServer();
    if (pos > 0) {
      b.internal(pos, text);
    }
    return b.build();
  }

  private static List<Dependency> sources(SqlSession s, String stName) throws SQLException {
    List<Dependency> deps = new ArrayList<>();
    for (Row r :
        s.query(
            "SELECT c.oid, n.nspname, c.relname, c.relkind, c.relpersistence,"
                + " array_to_string(array_agg(DISTINCT a.attname ORDER BY a.attname)"
                + "   FILTER (WHERE a.attname IS NOT NULL), chr(31))"
                + " FROM pg_catalog.pg_depend d"
                + " JOIN pg_catalog.pg_rewrite rw ON rw.oid = d.objid"
                + " JOIN pg_catalog.pg_class c ON c.oid = d.refobjid"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                + " LEFT JOIN pg_catalog.pg_attribute a"
                + "   ON a.attrelid = c.oid AND a.attnum = d.refobjsubid AND d.refobjsubid > 0"
                + " WHERE d.classid = 'pg_catalog.pg_rewrite'::regclass"
                + "   AND d.refclassid = 'pg_catalog.pg_class'::regclass"
                + "   AND rw.ev_class = '"
                + PROBE
                + "'::regclass AND d.refobjid <> rw.ev_class"
                + " GROUP BY c.oid, n.nspname, c.relname, c.relkind, c.relpersistence"
                + " ORDER BY n.nspname, c.relname")) {
      long relid = r.longValue(0);
      if ("t".equals(r.text(4))) {
        throw PgTrickleException.builder(
                SqlState.FEATURE_NOT_SUPPORTED,
                "stream table " + stName + " cannot read temporary table " + r.text(2))
            .hint("A stream table is refreshed from other sessions; use a regular table.")
            .build();
      }
      SourceType type =
          switch (r.text(3)) {
            case "r", "p" ->
                StreamTables.isStreamTable(s, relid) ? SourceType.STREAM_TABLE : SourceType.TABLE;
            case "v" -> SourceType.VIEW;
            case "m" -> SourceType.MATVIEW;
            case "f" -> SourceType.FOREIGN_TABLE;
            default -> null; // sequences and the like are not data sources
          };
      if (type == null) {
        continue;
      }
      String cols = r.text(5);
      deps.add(
          new Dependency(
              relid,
              r.text(1),
              r.text(2),
              type,
              cols == null || cols.isEmpty() ? List.of() : List.of(cols.split("\u001f"))));
    }
    return deps;
  }
}
