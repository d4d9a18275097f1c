/**
 * The values a user sets on a stream table — refresh mode, schedule, tier, status and the stored
 * options — each parsed and validated once, with errors that name the parameter and list the valid
 * values.
 */
package io.pgtrickle.engine.model;
