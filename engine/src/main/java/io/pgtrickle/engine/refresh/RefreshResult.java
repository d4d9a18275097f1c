package io.pgtrickle.engine.refresh;

/**
 * The outcome of one refresh.
 *
 * @param startTime the server time the refresh statement started, as timestamptz text; also the
 *     time the stream table's data is current as of
 */
public record RefreshResult(
    RefreshAction action, long rowsInserted, long rowsDeleted, String startTime) {}
