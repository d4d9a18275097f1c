package io.pgtrickle.engine.cdc;

import io.pgtrickle.sql.lex.Identifiers;

/**
 * How far a stream table has consumed one source's change buffer.
 *
 * <p>Consumption is bounded by transaction snapshots, never by sequence order: a change is behind
 * the frontier when its transaction was visible in {@code snapshot} (the snapshot of the refresh
 * statement that consumed the buffer), or when it is one of the first {@code ownChangeId} changes
 * of {@code ownXid}, the refreshing transaction itself (whose own writes its snapshot does not
 * count as visible, though it reads them). So a long transaction that commits late is consumed by
 * the first refresh that can see it: never skipped, never read twice.
 *
 * @param snapshot {@code pg_snapshot} text, {@code xmin:xmax:xip,…}
 * @param ownXid the consuming transaction's id ({@code xid8} text)
 */
public record Frontier(String snapshot, String ownXid, long ownChangeId) {

  /** SQL that is true for buffer rows (alias {@code b}) ahead of this frontier. */
  public String pendingPredicate(String alias) {
    return "NOT pgtrickle.behind_frontier("
        + alias
        + ".__pgt_xid, "
        + alias
        + ".__pgt_change_id, "
        + Identifiers.quoteLiteral(snapshot)
        + "::pg_snapshot, "
        + Identifiers.quoteLiteral(ownXid)
        + "::xid8, "
        + ownChangeId
        + ")";
  }
}
