package io.pgtrickle.engine.refresh;

/**
 * The outcome of one refresh.
 *
 * @param startTime the server time the refresh statement started, as timestamptz text; also the
 *     time the stream table's data is current as of
 * @param snapshot the snapshot the refresh statement read, as {@code pg_snapshot} text
 * @param ownXid the refreshing transaction's id
 */
public record RefreshResult(
    RefreshAction action,
    long rowsInserted,
    long rowsDeleted,
    String startTime,
    String snapshot,
    String ownXid) {}
