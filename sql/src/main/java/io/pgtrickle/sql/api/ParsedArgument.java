package io.pgtrickle.sql.api;

import io.pgtrickle.sql.lex.Token;

/**
 * One argument as written, before it is matched to a parameter.
 *
 * @param name the folded parameter name for named notation, or null when positional
 * @param nameToken the token of that name, or null
 * @param valueToken the first token of the value, where errors about it point
 * @param expr the value
 */
record ParsedArgument(String name, Token nameToken, Token valueToken, ArgExpr expr) {
  boolean isNamed() {
    return name != null;
  }

  /** How PostgreSQL shows this argument in a signature: {@code unknown} or {@code x => text}. */
  String signature() {
    return (name == null ? "" : name + " => ") + expr.type().name();
  }
}
