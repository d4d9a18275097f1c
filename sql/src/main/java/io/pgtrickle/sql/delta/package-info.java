/**
 * Delta derivation: from a planned query block and what changed in its sources, the single SQL
 * statement that brings a stream table up to date.
 *
 * <p>Every term is the query's own FROM/WHERE with each table alias bound to one of four inputs
 * (its current contents, its pending changes with weights ±1, or a single all-NULL row), so the
 * query's expressions are reused verbatim. Two strategies:
 *
 * <ul>
 *   <li>{@link io.pgtrickle.sql.delta.ZSetDelta}: select-project-join over inner joins. The change
 *       of a join is the inclusion–exclusion sum over the non-empty sets of changed tables, each
 *       term joining those tables' changes with the others' current contents; weights multiply. The
 *       net weight per row is applied by deleting or inserting that many copies.
 *   <li>{@link io.pgtrickle.sql.delta.KeyedRecompute}: aggregates, DISTINCT and DISTINCT ON. The
 *       keys (groups) touched by any change are collected, those keys alone are recomputed from the
 *       current contents, and the stream table's rows for them are replaced where they differ.
 * </ul>
 */
package io.pgtrickle.sql.delta;
