package io.pgtrickle.sql.delta;

import io.pgtrickle.errors.PgTrickleException;
import io.pgtrickle.sql.lex.Identifiers;
import io.pgtrickle.sql.lex.SqlLexer;
import io.pgtrickle.sql.lex.Token;
import io.pgtrickle.sql.lex.TokenKind;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Renames table aliases in an expression's text. Canonical query text qualifies every column with
 * its alias, so an alias is exactly an identifier token followed by a dot; strings, comments and
 * column names are left alone.
 */
final class AliasRenamer {
  private AliasRenamer() {}

  /** The aliases that qualify a column somewhere in {@code sql}. */
  static Set<String> qualifiers(String sql) throws PgTrickleException {
    List<Token> tokens = SqlLexer.tokenize(sql, false);
    Set<String> out = new HashSet<>();
    for (int i = 0; i + 1 < tokens.size(); i++) {
      if (isQualifier(tokens, i)) {
        out.add(tokens.get(i).value());
      }
    }
    return out;
  }

  /**
   * Whether token {@code i} qualifies a column: a name followed by a dot, not itself after a dot
   * (in {@code schema.table.col} only the schema would be).
   */
  private static boolean isQualifier(List<Token> tokens, int i) {
    TokenKind kind = tokens.get(i).kind();
    return (kind == TokenKind.IDENTIFIER || kind == TokenKind.QUOTED_IDENTIFIER)
        && i + 1 < tokens.size()
        && tokens.get(i + 1).kind() == TokenKind.DOT
        && (i == 0 || tokens.get(i - 1).kind() != TokenKind.DOT);
  }

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
      if (isQualifier(tokens, i) && renames.containsKey(t.value())) {
        out.append(sql, copied, t.start()).append(Identifiers.quote(renames.get(t.value())));
        copied = t.end();
      }
    }
    return out.append(sql, copied, sql.length()).toString();
  }
}
