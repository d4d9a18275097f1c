/**
 * The query model of a stream table's defining query and the support check in front of it. {@link
 * io.pgtrickle.sql.plan.QueryPlanner} parses the canonical text PostgreSQL's {@code pg_get_viewdef}
 * produced into immutable records ({@link io.pgtrickle.sql.plan.QueryBlock} and friends) and
 * rejects, with SQLSTATE 0A000 and the offending text, every construct DIFFERENTIAL maintenance
 * cannot handle. JSqlParser stays behind this package: nothing it returns escapes.
 */
package io.pgtrickle.sql.plan;
