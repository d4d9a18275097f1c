/**
 * Bringing a stream table up to date: the FULL refresh (recompute and merge the difference) and the
 * refresh history every refresh writes.
 */
package io.pgtrickle.engine.refresh;
