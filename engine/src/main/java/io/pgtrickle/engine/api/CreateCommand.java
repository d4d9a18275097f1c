package io.pgtrickle.engine.api;

import io.pgtrickle.engine.catalog.StreamTable;
import io.pgtrickle.engine.catalog.StreamTables;
import io.pgtrickle.engine.query.AnalyzedQuery;
import io.pgtrickle.engine.query.QueryAnalyzer;
import io.pgtrickle.engine.refresh.InitiatedBy;
import io.pgtrickle.engine.refresh.Refresher;
import io.pgtrickle.engine.session.Row;
import io.pgtrickle.engine.session.SqlSession;
import io.pgtrickle.errors.PgTrickleException;
import io.pgtrickle.errors.SqlState;
import io.pgtrickle.sql.lex.Identifiers;
import io.pgtrickle.sql.lex.QualifiedName;
import java.sql.SQLException;
import java.util.Optional;

/**
 * {@code create_stream_table} and its {@code _if_not_exists} and {@code create_or_replace_}
 * variants: analyse the query, create the storage table, record it in the catalog, and populate it
 * unless {@code initialize => false}.
 */
final class CreateCommand {
  /** What to do when the stream table already exists. */
  enum IfExists {
    ERROR,
    SKIP,
    REPLACE
  }

  private CreateCommand() {}

  /** Runs inside the caller's (or an own) transaction. */
  static void run(
      SqlSession s,
      QualifiedName name,
      String query,
      StreamTableOptions options,
      IfExists ifExists,
      AlterCommand.Changes replacement)
      throws SQLException {
    Optional<StreamTable> existing = StreamTables.find(s, name, true);
    if (existing.isPresent()) {
      switch (ifExists) {
        case SKIP:
          return;
        case REPLACE:
          AlterCommand.run(s, name, replacement);
          return;
        default:
          throw PgTrickleException.builder(
                  SqlState.DUPLICATE_TABLE,
                  "stream table \"" + existing.get().displayName() + "\" already exists")
              .hint(
                  "Use pgtrickle.alter_stream_table to change it, or"
                      + " pgtrickle.create_or_replace_stream_table.")
              .build();
      }
    }
    String schema = name.schema() != null ? name.schema() : currentSchema(s);
    String sqlName = Identifiers.quote(schema) + "." + Identifiers.quote(name.name());
    String display = schema + "." + name.name();
    Row rel = s.queryOne("SELECT to_regclass(?) IS NOT NULL", sqlName);
    if (rel.bool(0)) {
      throw PgTrickleException.builder(
              SqlState.DUPLICATE_TABLE, "relation \"" + display + "\" already exists")
          .hint("Choose another name for the stream table, or drop the existing relation.")
          .build();
    }
    AnalyzedQuery analyzed = QueryAnalyzer.analyze(s, display, query);
    ModePolicy.Decision mode =
        ModePolicy.decide(
            options.refreshMode(),
            display,
            () -> Maintenance.plan(s, analyzed),
            s.maintainsImmediate());
    long relid = StorageTable.create(s, sqlName, display, analyzed);
    long pgtId =
        s.queryOne(
                "INSERT INTO pgtrickle.pgt_stream_tables (pgt_relid, pgt_name, pgt_schema,"
                    + " defining_query, original_query, schedule, refresh_mode,"
                    + " effective_refresh_mode, refresh_mode_reason, status,"
                    + " diamond_consistency, diamond_schedule_policy, requested_cdc_mode,"
                    + " is_append_only, pooler_compatibility_mode)"
                    + " VALUES (?::oid, ?, ?, ?, ?, ?, ?, ?, ?, 'INITIALIZING', ?, ?, ?,"
                    + " ?::boolean, ?::boolean) RETURNING pgt_id",
                relid,
                name.name(),
                schema,
                analyzed.canonical(),
                query,
                options.schedule().text(),
                options.refreshMode().name(),
                mode.effective().name(),
                mode.reason(),
                options.diamondConsistency().toString(),
                options.diamondSchedulePolicy().toString(),
                options.cdcMode() == null ? null : options.cdcMode().toString(),
                options.appendOnly(),
                options.poolerCompatibilityMode())
            .longValue(0);
    StreamTables.replaceDependencies(s, pgtId, analyzed.sources());
    StreamTable st = StreamTables.require(s, new QualifiedName(schema, name.name()), true);
    if (mode.effective().isIncremental()) {
      Maintenance.start(s, st, analyzed);
    }
    if (options.initialize()) {
      Refresher.full(s, st, InitiatedBy.INITIAL, mode.reason());
    }
  }

  private static String currentSchema(SqlSession s) throws SQLException {
    String schema = s.queryOne("SELECT current_schema()").text(0);
    if (schema == null) {
      throw PgTrickleException.builder(
              SqlState.INVALID_SCHEMA_NAME, "no schema has been selected to create in")
          .hint("Qualify the stream table name with a schema, or set search_path.")
          .build();
    }
    return schema;
  }
}
