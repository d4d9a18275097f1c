package io.pgtrickle.sql.delta;

import io.pgtrickle.errors.PgTrickleException;
import io.pgtrickle.sql.lex.Identifiers;
import io.pgtrickle.sql.lex.SqlLexer;
import io.pgtrickle.sql.lex.Token;
import io.pgtrickle.sql.lex.TokenKind;
import java.util.List;
import java.util.Map;

/**
 * Renames table aliases in an expression's text. Canonical query text qualifies every column with
 * its alias, so an alias is exactly an identifier token followed by a dot; strings, comments and
 * column names are left alone.
 */
final class AliasRenamer {
  private AliasRenamer() {}

  /** {@code sql} with every {@code alias.} in {@code renames} replaced by the new alias. */
  static String rename(String sql, Map<String, String> renames) {
    if (renames.isEmpty()) {
      return sql;
    }
    List<Token> tokens;
    try {
      tokens = SqlLexer.tokenize(sql, false);
    } catch (PgTrickleException e) {
      throw new IllegalArgumentException("canonical expression does not lex: " + sql, e);
    }
    StringBuilder out = new StringBuilder(sql.length() + 16);
    int copied = 0;
    for (int i = 0; i + 1 < tokens.size(); i++) {
      Token t = tokens.get(i);
      boolean name = t.kind() == TokenKind.IDENTIFIER || t.kind() == TokenKind.QUOTED_IDENTIFIER;
      // A qualifier is a name followed by a dot that is not itself after a dot (schema.table.col).
      boolean qualifier =
          name
              && tokens.get(i + 1).kind() == TokenKind.DOT
              && (i == 0 || tokens.get(i - 1).kind() != TokenKind.DOT);
      if (qualifier && renames.containsKey(t.value())) {
        out.append(sql, copied, t.start()).append(Identifiers.quote(renames.get(t.value())));
        copied = t.end();
      }
    }
    return out.append(sql, copied, sql.length()).toString();
  }
}
