/**
 * The write API — {@code create_stream_table}, {@code alter_stream_table}, {@code
 * drop_stream_table}, {@code refresh_stream_table}, {@code resume_stream_table} — carried out on
 * the caller's session, in the caller's transaction, with the caller's privileges. The driver and
 * the proxy both hand recognised calls to {@link io.pgtrickle.engine.api.ApiExecutor}.
 */
package io.pgtrickle.engine.api;
