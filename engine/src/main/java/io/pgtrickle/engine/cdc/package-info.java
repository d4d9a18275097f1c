/**
 * Change capture: per-source change buffers filled by statement-level triggers, the snapshot
 * frontiers that say which buffered changes a stream table has consumed, and pruning.
 */
package io.pgtrickle.engine.cdc;
