/**
 * A lexer for PostgreSQL's SQL dialect and the cheap text utilities built on its rules: statement
 * splitting, first-keyword classification and identifier quoting. It follows PostgreSQL's scanner
 * (scan.l) closely enough that whatever it accepts, the server would tokenize the same way.
 */
package io.pgtrickle.sql.lex;
