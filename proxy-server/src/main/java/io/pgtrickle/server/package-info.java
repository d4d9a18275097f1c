/**
 * The command-line entry point and the embedded PostgreSQL default. The wire-protocol proxy itself
 * arrives here next; until then the entry point runs a quick-start walkthrough through the JDBC
 * driver.
 */
package io.pgtrickle.server;
