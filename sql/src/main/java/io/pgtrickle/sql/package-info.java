/**
 * SQL text handling that needs neither a database nor a network: a PostgreSQL-aware lexer, the
 * recogniser for {@code pgtrickle.*} API calls, and statement classification. JSqlParser is used in
 * this module and nowhere else.
 */
package io.pgtrickle.sql;
