/**
 * The narrow SQL interface the engine talks through. The driver implements it over a JDBC
 * connection and the proxy over the client's upstream connection, so an API command runs on the
 * caller's connection, in the caller's transaction, with the caller's privileges.
 */
package io.pgtrickle.engine.session;
