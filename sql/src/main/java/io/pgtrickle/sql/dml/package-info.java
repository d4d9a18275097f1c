/**
 * Classification of client statements for maintenance in the writer's transaction: transaction
 * control, reads, and writes with their target tables.
 */
package io.pgtrickle.sql.dml;
