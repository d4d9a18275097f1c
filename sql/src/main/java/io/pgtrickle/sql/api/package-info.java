/**
 * Recognition of pg_trickle's write API ({@code SELECT pgtrickle.create_stream_table(...)} and its
 * siblings) in the SQL a client sends, so the driver and the proxy can run those calls in Java. It
 * describes the functions, turns a matching statement into an {@link io.pgtrickle.sql.api.ApiCall}
 * and rejects, with PostgreSQL-style errors, any call it cannot execute faithfully.
 */
package io.pgtrickle.sql.api;
