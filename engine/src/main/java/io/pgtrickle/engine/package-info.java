/**
 * The engine: the catalog in schema {@code pgtrickle}, the API commands ({@code
 * create_stream_table} and friends), and the refresh executor. It keeps no durable state of its own
 * — everything lives in PostgreSQL — so any number of drivers, proxies and engines can share one
 * database.
 */
package io.pgtrickle.engine;
