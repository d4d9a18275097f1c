/**
 * IMMEDIATE stream tables: maintenance inside the writer's transaction, and the per-connection
 * interception state that decides when it runs.
 */
package io.pgtrickle.engine.immediate;
