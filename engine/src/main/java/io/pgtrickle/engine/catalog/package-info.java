/**
 * The catalog in schema {@code pgtrickle}: its versioned installation and upgrade, and typed access
 * to the stream-table, dependency and refresh-history rows.
 */
package io.pgtrickle.engine.catalog;
