package io.pgtrickle.engine.catalog;

import io.pgtrickle.engine.model.RefreshMode;
import io.pgtrickle.engine.model.Status;
import io.pgtrickle.engine.model.Tier;
import io.pgtrickle.engine.session.Row;
import io.pgtrickle.engine.session.SqlSession;
import io.pgtrickle.errors.PgTrickleException;
import io.pgtrickle.errors.SqlState;
import io.pgtrickle.sql.lex.Identifiers;
import io.pgtrickle.sql.lex.QualifiedName;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Reads and writes the rows of {@code pgtrickle.pgt_stream_tables} and its dependencies. */
public final class StreamTables {
  private static final String COLUMNS =
      "s.pgt_id, coalesce(c.oid, 0), s.pgt_schema, s.pgt_name, s.defining_query,"
          + " s.original_query, s.schedule, s.refresh_mode, s.effective_refresh_mode, s.status,"
          + " s.refresh_tier, s.is_populated, s.consecutive_errors";

  /**
   * Separates column names when a name list travels as one text value: unlike a comma, it does not
   * occur in real identifiers.
   */
  private static final String UNIT_SEPARATOR = "\u001f";

  private StreamTables() {}

  /**
   * Finds a stream table by a user-supplied name. An unqualified name is resolved through {@code
   * search_path} as PostgreSQL resolves table names; an entry whose storage table was dropped
   * behind our back is still found by its recorded schema and name.
   *
   * @param forUpdate lock the catalog row, so concurrent refreshes and alters of one stream table
   *     run one after another
   */
  public static Optional<StreamTable> find(SqlSession s, QualifiedName name, boolean forUpdate)
      throws SQLException {
    String lock = forUpdate ? " FOR UPDATE OF s" : "";
    Row row =
        s.queryOne(
            "SELECT "
                + COLUMNS
                + " FROM pgtrickle.pgt_stream_tables s"
                + " LEFT JOIN pg_catalog.pg_class c ON c.oid = s.pgt_relid"
                + " WHERE s.pgt_relid = to_regclass(?)::oid"
                + lock,
            sqlText(name));
    if (row == null) {
      row =
          s.queryOne(
              "SELECT "
                  + COLUMNS
                  + " FROM pgtrickle.pgt_stream_tables s"
                  + " LEFT JOIN pg_catalog.pg_class c ON c.oid = s.pgt_relid"
                  + " WHERE c.oid IS NULL AND s.pgt_name = ?"
                  + " AND s.pgt_schema = coalesce(?, current_schema())"
                  + lock,
              name.name(),
              name.schema());
    }
    return Optional.ofNullable(row).map(StreamTables::toStreamTable);
  }

  /**
   * Like {@link #find} but a missing stream table is an error: 42P01 when no relation has the name,
   * 42809 when it names a relation that is not a stream table, 42501 when a lock was asked for and
   * the caller does not own it.
   */
  public static StreamTable require(SqlSession s, QualifiedName name, boolean forUpdate)
      throws SQLException {
    Optional<StreamTable> st = find(s, name, forUpdate);
    if (st.isPresent()) {
      return st.get();
    }
    if (forUpdate && find(s, name, false).isPresent()) {
      // Row-level security hid the row from FOR UPDATE: the caller may read it but not change it.
      throw PgTrickleException.builder(
              SqlState.INSUFFICIENT_PRIVILEGE, "must be owner of stream table " + display(name))
          .hint("Only the owner of the storage table (or a member of its role) may change it.")
          .build();
    }
    Row rel = s.queryOne("SELECT to_regclass(?) IS NOT NULL", sqlText(name));
    if (rel.bool(0)) {
      throw PgTrickleException.builder(
              SqlState.WRONG_OBJECT_TYPE, "\"" + display(name) + "\" is not a stream table")
          .hint("Create it with pgtrickle.create_stream_table(name, query).")
          .build();
    }
    throw PgTrickleException.builder(
            SqlState.UNDEFINED_TABLE, "stream table \"" + display(name) + "\" does not exist")
        .hint("SELECT pgt_schema, pgt_name FROM pgtrickle.pgt_stream_tables lists them.")
        .build();
  }

  /**
   * Like {@link #require} with the catalog row locked, and then the refresh lock taken ({@code
   * pg_advisory_xact_lock(lockClass, id)}), in one round trip: {@code pgtrickle._lock_for_refresh}
   * runs both with a plan its backend keeps. When it finds nothing, this looks again as {@link
   * #require} does, to find a stream table whose storage is gone or to say why there is none.
   */
  public static StreamTable requireForRefresh(SqlSession s, QualifiedName name, int lockClass)
      throws SQLException {
    Row row =
        s.queryOne(
            "SELECT pgt_id, pgt_relid, pgt_schema, pgt_name, defining_query, original_query,"
                + " schedule, refresh_mode, effective_refresh_mode, status, refresh_tier,"
                + " is_populated, consecutive_errors FROM pgtrickle._lock_for_refresh(?, ?::int)",
            sqlText(name),
            lockClass);
    return row != null ? toStreamTable(row) : require(s, name, true);
  }

  /** A stream table's catalog row, locked by the current transaction. */
  public record Locked(StreamTable table, String version) {}

  /**
   * Locks a stream table's catalog row unless another transaction holds it ({@code FOR UPDATE SKIP
   * LOCKED}): how several engines agree on who refreshes it.
   *
   * @return the row and its version ({@code xmin}, which every change of the row renews); empty
   *     when the row is locked elsewhere or gone
   */
  public static Optional<Locked> lockIfFree(SqlSession s, long pgtId) throws SQLException {
    Row row =
        s.queryOne(
            "SELECT "
                + COLUMNS
                + ", s.xmin::text FROM pgtrickle.pgt_stream_tables s"
                + " LEFT JOIN pg_catalog.pg_class c ON c.oid = s.pgt_relid"
                + " WHERE s.pgt_id = ?::bigint FOR UPDATE OF s SKIP LOCKED",
            pgtId);
    return Optional.ofNullable(row).map(r -> new Locked(toStreamTable(r), r.text(13)));
  }

  /** Whether a relation with the given OID is a stream table. */
  public static boolean isStreamTable(SqlSession s, long relid) throws SQLException {
    return s.queryOne(
            "SELECT EXISTS (SELECT 1 FROM pgtrickle.pgt_stream_tables WHERE pgt_relid = ?::oid)",
            relid)
        .bool(0);
  }

  /**
   * The stream tables maintained in the writer's transaction, each with the OIDs of its sources, in
   * one round trip.
   */
  public static Map<StreamTable, List<Long>> immediate(SqlSession s) throws SQLException {
    Map<StreamTable, List<Long>> out = new LinkedHashMap<>();
    for (Row r :
        s.query(
            "SELECT "
                + COLUMNS
                + ", (SELECT string_agg(d.source_relid::text, ',') FROM pgtrickle.pgt_dependencies d"
                + " WHERE d.pgt_id = s.pgt_id)"
                + " FROM pgtrickle.pgt_stream_tables s"
                + " JOIN pg_catalog.pg_class c ON c.oid = s.pgt_relid"
                + " WHERE s.effective_refresh_mode = 'IMMEDIATE' AND s.is_populated"
                + " ORDER BY s.pgt_id")) {
      String sources = r.text(13);
      List<Long> relids = new ArrayList<>();
      if (sources != null) {
        for (String relid : sources.split(",")) {
          relids.add(Long.parseLong(relid));
        }
      }
      out.put(toStreamTable(r), relids);
    }
    return out;
  }

  /** The sources recorded for a stream table. */
  public static List<Dependency> dependencies(SqlSession s, long pgtId) throws SQLException {
    List<Dependency> deps = new ArrayList<>();
    for (Row r :
        s.query(
            "SELECT d.source_relid, n.nspname, c.relname, d.source_type,"
                + " array_to_string(coalesce(d.columns_used, '{}'), chr(31))"
                + " FROM pgtrickle.pgt_dependencies d"
                + " JOIN pg_catalog.pg_class c ON c.oid = d.source_relid"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE d.pgt_id = ?::bigint ORDER BY n.nspname, c.relname",
            pgtId)) {
      String cols = r.text(4);
      deps.add(
          new Dependency(
              r.longValue(0),
              r.text(1),
              r.text(2),
              SourceType.valueOf(r.text(3)),
              cols.isEmpty() ? List.of() : List.of(cols.split(UNIT_SEPARATOR))));
    }
    return deps;
  }

  /** Replaces the recorded sources of a stream table. */
  public static void replaceDependencies(SqlSession s, long pgtId, List<Dependency> deps)
      throws SQLException {
    s.update("DELETE FROM pgtrickle.pgt_dependencies WHERE pgt_id = ?::bigint", pgtId);
    for (Dependency d : deps) {
      s.update(
          "INSERT INTO pgtrickle.pgt_dependencies (pgt_id, source_relid, source_type,"
              + " columns_used) VALUES (?::bigint, ?::oid, ?, string_to_array(?, chr(31)))",
          pgtId,
          d.relid(),
          d.type().name(),
          String.join(UNIT_SEPARATOR, d.columnsUsed()));
    }
  }

  /** The stream tables that read the relation {@code relid}, as display names. */
  public static List<String> dependents(SqlSession s, long relid) throws SQLException {
    List<String> names = new ArrayList<>();
    for (Row r :
        s.query(
            "SELECT st.pgt_schema || '.' || st.pgt_name FROM pgtrickle.pgt_dependencies d"
                + " JOIN pgtrickle.pgt_stream_tables st USING (pgt_id)"
                + " WHERE d.source_relid = ?::oid ORDER BY 1",
            relid)) {
      names.add(r.text(0));
    }
    return names;
  }

  /**
   * Whether the relation {@code fromRelid} is {@code targetRelid} or, being a stream table, reads
   * it directly or through other stream tables: making {@code targetRelid} read {@code fromRelid}
   * would then close a cycle.
   */
  public static boolean reaches(SqlSession s, long fromRelid, long targetRelid)
      throws SQLException {
    return s.queryOne(
            "WITH RECURSIVE up(relid) AS ("
                + " SELECT ?::oid"
                + " UNION"
                + " SELECT d.source_relid FROM up"
                + " JOIN pgtrickle.pgt_stream_tables st ON st.pgt_relid = up.relid"
                + " JOIN pgtrickle.pgt_dependencies d ON d.pgt_id = st.pgt_id)"
                + " SELECT EXISTS (SELECT 1 FROM up WHERE relid = ?::oid)",
            fromRelid,
            targetRelid)
        .bool(0);
  }

  /** The SQL text of a user-supplied name, for {@code to_regclass}. */
  static String sqlText(QualifiedName name) {
    return name.schema() == null
        ? Identifiers.quote(name.name())
        : Identifiers.quote(name.schema()) + "." + Identifiers.quote(name.name());
  }

  /** The name as the user would write it in a message. */
  public static String display(QualifiedName name) {
    return name.schema() == null ? name.name() : name.schema() + "." + name.name();
  }

  private static StreamTable toStreamTable(Row r) {
    String effective = r.text(8);
    return new StreamTable(
        r.longValue(0),
        r.longValue(1),
        r.text(2),
        r.text(3),
        r.text(4),
        r.text(5),
        r.text(6),
        RefreshMode.valueOf(r.text(7)),
        effective == null ? null : RefreshMode.valueOf(effective),
        Status.valueOf(r.text(9)),
        Tier.valueOf(r.text(10).toUpperCase(Locale.ROOT)),
        r.bool(11),
        (int) r.longValue(12));
  }
}
