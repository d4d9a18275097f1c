package io.pgtrickle.engine.cdc;

import io.pgtrickle.engine.session.Row;
import io.pgtrickle.engine.session.SqlSession;
import io.pgtrickle.sql.lex.Identifiers;
import java.sql.SQLException;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where a stream table stands in its sources' change buffers, read in one statement before a
 * refresh reads any change: each source's frontier, whether the buffer holds changes ahead of it
 * (and a TRUNCATE among them), whether this role may prune the buffer, and the statement's time and
 * snapshot, which are what a refresh that finds nothing to do records.
 *
 * <p>The buffers to probe must be named in the statement, so the caller says which sources it
 * expects; the statement reads the dependency rows themselves, so a list that no longer matches the
 * catalog is noticed, never trusted.
 *
 * @param sources by source OID, in OID order
 * @param startTime the statement's start, as timestamptz text
 * @param snapshot the statement's snapshot, as {@code pg_snapshot} text
 * @param ownXid the transaction's id if it has one, else null
 */
public record PendingChanges(
    Map<Long, Source> sources, String startTime, String snapshot, String ownXid) {

  /**
   * One source.
   *
   * @param name the source as {@code regclass} prints it
   * @param frontier where the stream table stands in its buffer; null if it does not consume it
   * @param mayPrune whether this role may delete from the buffer
   */
  public record Source(
      long relid,
      String name,
      Frontier frontier,
      boolean pending,
      boolean truncated,
      boolean mayPrune) {}

  /** Read-only view over an insertion-ordered copy. */
  public PendingChanges {
    sources = Collections.unmodifiableMap(new LinkedHashMap<>(sources));
  }

  /** Whether any source has changes ahead of its frontier. */
  public boolean anyPending() {
    return sources.values().stream().anyMatch(Source::pending);
  }

  /** The name of a source with a pending TRUNCATE, or null. */
  public String truncatedSource() {
    return sources.values().stream()
        .filter(Source::truncated)
        .map(Source::name)
        .findFirst()
        .orElse(null);
  }

  /**
   * Reads where stream table {@code pgtId} stands, probing the buffers of {@code expected}.
   *
   * @return null when the catalog lists other sources than {@code expected}: ask again with {@link
   *     Frontiers#load}'s
   */
  public static PendingChanges read(SqlSession s, long pgtId, Collection<Long> expected)
      throws SQLException {
    StringBuilder pending = new StringBuilder("CASE d.source_relid");
    StringBuilder truncated = new StringBuilder("CASE d.source_relid");
    StringBuilder mayPrune = new StringBuilder("CASE d.source_relid");
    for (long relid : expected) {
      String buffer = ChangeBuffers.bufferName(relid);
      String ahead =
          "EXISTS (SELECT 1 FROM "
              + buffer
              + " b WHERE NOT pgtrickle.behind_frontier(b.__pgt_xid, b.__pgt_change_id,"
              + " d.consumed_snapshot, d.consumed_xid, d.consumed_change_id)";
      pending.append(" WHEN ").append(relid).append(" THEN ").append(ahead).append(")");
      truncated
          .append(" WHEN ")
          .append(relid)
          .append(" THEN ")
          .append(ahead)
          .append(" AND b.__pgt_op = 'T')");
      mayPrune
          .append(" WHEN ")
          .append(relid)
          .append(" THEN has_table_privilege(")
          .append(Identifiers.quoteLiteral(buffer))
          .append(", 'DELETE')");
    }
    // With no WHEN branch a CASE is a syntax error; NULL marks a source not asked about.
    String sql =
        "SELECT d.source_relid, d.consumed_snapshot::text, d.consumed_xid::text,"
            + " d.consumed_change_id, "
            + (expected.isEmpty() ? "NULL::boolean" : pending + " END")
            + ", "
            + (expected.isEmpty() ? "NULL::boolean" : truncated + " END")
            + ", "
            + (expected.isEmpty() ? "NULL::boolean" : mayPrune + " END")
            + ", d.source_relid::regclass::text, statement_timestamp(),"
            + " pg_current_snapshot()::text, pg_current_xact_id_if_assigned()::text"
            // The outer join keeps one row, with the time and snapshot, when there are no sources.
            + " FROM (VALUES (1)) one LEFT JOIN pgtrickle.pgt_dependencies d"
            + " ON d.pgt_id = ?::bigint ORDER BY d.source_relid";
    List<Row> rows = s.query(sql, pgtId);
    Row first = rows.get(0);
    Map<Long, Source> sources = new LinkedHashMap<>();
    Set<Long> seen = new HashSet<>();
    for (Row r : rows) {
      if (r.text(0) == null) {
        continue;
      }
      long relid = r.longValue(0);
      seen.add(relid);
      Frontier f = r.text(1) == null ? null : new Frontier(r.text(1), r.text(2), r.longValue(3));
      sources.put(
          relid,
          new Source(
              relid,
              r.text(7),
              f,
              f != null && r.bool(4),
              f != null && r.bool(5),
              r.text(6) != null && r.bool(6)));
    }
    if (!seen.equals(new HashSet<>(expected))) {
      return null;
    }
    return new PendingChanges(sources, first.text(8), first.text(9), first.text(10));
  }
}
