/**
 * The scheduler: decides from the catalog which stream tables are due (schedules, tiers, the
 * dependency graph, diamonds, backoff after failures) and refreshes them on a bounded pool of
 * workers, each refresh claimed in its own transaction so several engines share one database
 * without refreshing anything twice.
 */
package io.pgtrickle.engine.scheduler;
