package io.pgtrickle.engine.cdc;

import io.pgtrickle.sql.lex.Identifiers;

/**
 * How far a stream table has consumed one source's change buffer.
 *
 * <p>Consumption is bounded by transaction snapshots, never by sequence order: a change of another
 * transaction is behind the frontier when that transaction was visible in {@code snapshot} (the
 * snapshot of the refresh statement that consumed the buffer); a change of {@code ownXid}, the
 * refreshing transaction itself, is behind it when it is one of the first {@code ownChangeId}
 * changes, whatever the snapshot says (a transaction's own snapshot leaves it out of the running
 * ones, so it would look committed). So a long transaction that commits late is consumed by the
 * first refresh that can see it, and a transaction that refreshes between its own writes has the
 * later ones consumed after it: never skipped, never read twice.
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
