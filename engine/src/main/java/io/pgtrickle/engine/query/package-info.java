/**
 * Analysis of a defining query by PostgreSQL itself: whether it is valid, what columns and types it
 * produces, which relations it reads, and whether the caller may read them.
 */
package io.pgtrickle.engine.query;
