/**
 * JDBC wrappers that forward every call to pgjdbc. The {@code Delegating*} classes are complete,
 * mechanical pass-throughs with protected hooks; the driver subclasses them and overrides only the
 * few calls it must intercept, while {@code unwrap} still reaches pgjdbc's own objects.
 */
package io.pgtrickle.driver.jdbc;
