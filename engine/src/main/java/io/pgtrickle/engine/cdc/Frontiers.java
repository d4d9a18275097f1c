package io.pgtrickle.engine.cdc;

import io.pgtrickle.engine.session.Row;
import io.pgtrickle.engine.session.SqlSession;
import io.pgtrickle.engine.session.SqlSession.Update;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and moves the frontiers of a stream table, kept on its rows in {@code
 * pgtrickle.pgt_dependencies}, and prunes buffer rows every consumer has passed.
 */
public final class Frontiers {
  private Frontiers() {}

  /** Each source's frontier; null for a source not consumed incrementally. */
  public static Map<Long, Frontier> load(SqlSession s, long pgtId) throws SQLException {
    Map<Long, Frontier> out = new LinkedHashMap<>();
    for (Row r :
        s.query(
            "SELECT source_relid, consumed_snapshot::text, consumed_xid::text, consumed_change_id"
                + " FROM pgtrickle.pgt_dependencies WHERE pgt_id = ?::bigint"
                + " ORDER BY source_relid",
            pgtId)) {
      out.put(
          r.longValue(0),
          r.text(1) == null ? null : new Frontier(r.text(1), r.text(2), r.longValue(3)));
    }
    return out;
  }

  /**
   * Sets every source's frontier to the snapshot a full recomputation read, with the transaction's
   * own changes so far. The statement that read the snapshot and this one run in one transaction,
   * so its own changes cannot have moved in between.
   */
  public static void resetAll(SqlSession s, long pgtId, String snapshot, String ownXid)
      throws SQLException {
    for (long relid : load(s, pgtId).keySet()) {
      long own =
          s.queryOne(
                  "SELECT coalesce(max(__pgt_change_id), 0) FROM "
                      + ChangeBuffers.bufferName(relid)
                      + " WHERE __pgt_xid = ?::xid8",
                  ownXid)
              .longValue(0);
      advance(s, pgtId, relid, new Frontier(snapshot, ownXid, own));
    }
  }

  /** Moves one source's frontier. */
  public static void advance(SqlSession s, long pgtId, long relid, Frontier f) throws SQLException {
    s.updateAll(List.of(advance(pgtId, relid, f)));
  }

  /** The statement that moves one source's frontier. */
  public static Update advance(long pgtId, long relid, Frontier f) {
    return Update.of(
        "UPDATE pgtrickle.pgt_dependencies SET consumed_snapshot = ?::pg_snapshot,"
            + " consumed_xid = ?::xid8, consumed_change_id = ?::bigint"
            + " WHERE pgt_id = ?::bigint AND source_relid = ?::oid",
        f.snapshot(),
        f.ownXid(),
        f.ownChangeId(),
        pgtId,
        relid);
  }

  /** Marks a stream table as no longer consuming any buffer (it refreshes in FULL now). */
  public static void clear(SqlSession s, long pgtId) throws SQLException {
    s.update(
        "UPDATE pgtrickle.pgt_dependencies SET consumed_snapshot = NULL, consumed_xid = NULL,"
            + " consumed_change_id = 0 WHERE pgt_id = ?::bigint",
        pgtId);
  }

  /**
   * The statement that deletes the buffer rows of a source that every incremental consumer has
   * passed. Only for a caller that may delete from the buffer (its owner; see {@link
   * PendingChanges.Source#mayPrune}); otherwise the rows wait for the owner's next prune.
   */
  public static Update prune(long relid) {
    return Update.of(
        "DELETE FROM "
            + ChangeBuffers.bufferName(relid)
            + " b WHERE NOT EXISTS (SELECT 1 FROM pgtrickle.pgt_dependencies d"
            + " WHERE d.source_relid = ?::oid AND d.consumed_snapshot IS NOT NULL"
            + " AND NOT pgtrickle.behind_frontier(b.__pgt_xid, b.__pgt_change_id,"
            + " d.consumed_snapshot, d.consumed_xid, d.consumed_change_id))",
        relid);
  }
}
