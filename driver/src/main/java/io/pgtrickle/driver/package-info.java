/**
 * The JDBC driver for {@code jdbc:pgtrickle:postgresql://} URLs: pgjdbc wrapped by delegation, with
 * the {@code pgtrickle.*} write API recognised in statements and prepared statements and carried
 * out by the engine on the caller's connection.
 */
package io.pgtrickle.driver;
