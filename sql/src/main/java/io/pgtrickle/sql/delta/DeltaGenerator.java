package io.pgtrickle.sql.delta;

import io.pgtrickle.errors.PgTrickleException;
import io.pgtrickle.errors.SqlState;
import io.pgtrickle.sql.lex.SqlLexer;
import io.pgtrickle.sql.lex.Token;
import io.pgtrickle.sql.lex.TokenKind;
import io.pgtrickle.sql.plan.Distinct;
import io.pgtrickle.sql.plan.JoinNode;
import io.pgtrickle.sql.plan.QueryBlock;
import io.pgtrickle.sql.plan.SqlExpr;
import io.pgtrickle.sql.plan.TableRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Chooses the delta strategy for a planned query and generates the refresh statement. The
 * statement, run in one snapshot, reads the pending changes, applies them to the stream table and
 * returns the inserted and deleted counts followed by the target's extra results.
 */
public final class DeltaGenerator {
  private DeltaGenerator() {}

  /** How a query is maintained. */
  public enum Strategy {
    /** Net row changes applied by row identity. */
    ZSET,
    /** The affected keys recomputed. */
    KEYED
  }

  /**
   * Whether and how {@code q} can be maintained incrementally.
   *
   * @param columns the stream table's columns, one per select item
   * @throws PgTrickleException 0A000 naming what prevents it
   */
  public static Strategy check(QueryBlock q, List<String> columns) throws PgTrickleException {
    if (q.from() == null) {
      throw unsupported("a query without FROM", "A query without tables never changes; use FULL.");
    }
    if (columns.size() != q.select().size()) {
      throw new IllegalArgumentException("column count differs from the select list");
    }
    for (JoinNode j : KeyedRecompute.leftJoins(q.from())) {
      if (!(j.right() instanceof TableRef)) {
        throw unsupported(
            "a LEFT JOIN whose right side is itself a join",
            "Join the inner tables in a stream table of their own and LEFT JOIN that.");
      }
      if (j.condition() == null) {
        throw unsupported("a LEFT JOIN without a condition", null);
      }
    }
    if (!q.aggregated() && q.distinct() instanceof Distinct.None) {
      if (!KeyedRecompute.leftJoins(q.from()).isEmpty()) {
        throw unsupported(
            "LEFT JOIN without GROUP BY or DISTINCT",
            "Only inner joins are maintained incrementally without aggregation so far.");
      }
      return Strategy.ZSET;
    }
    keyColumns(q, columns);
    return Strategy.KEYED;
  }

  /**
   * The refresh statement for the given pending changes.
   *
   * @param leaves every table alias of the query with its change buffer
   */
  public static String generate(QueryBlock q, Map<String, SourceLeaf> leaves, Target target)
      throws PgTrickleException {
    Strategy strategy = check(q, target.columns());
    List<String> changed = new ArrayList<>();
    for (TableRef t : q.tables()) {
      SourceLeaf leaf = leaves.get(t.alias());
      if (leaf == null) {
        throw new IllegalArgumentException("no source for alias " + t.alias());
      }
      if (leaf.changed()) {
        changed.add(t.alias());
      }
    }
    if (changed.isEmpty()) {
      throw new IllegalArgumentException("nothing changed: no refresh statement to generate");
    }
    TermRenderer renderer = new TermRenderer(leaves);
    if (strategy == Strategy.ZSET) {
      return ZSetDelta.generate(q, renderer, changed, target);
    }
    List<SqlExpr> keys = keys(q);
    return KeyedRecompute.generate(
        q, renderer, changed, keys, keyColumns(q, target.columns()), target);
  }

  /** The key expressions: GROUP BY, the DISTINCT ON list, or every output for DISTINCT. */
  private static List<SqlExpr> keys(QueryBlock q) {
    if (q.aggregated()) {
      return q.groupBy();
    }
    if (q.distinct() instanceof Distinct.On on) {
      return on.keys();
    }
    return q.select().stream().map(i -> i.expr()).collect(Collectors.toList());
  }

  /**
   * The stream-table column holding each key of a keyed query; every key must be an output column.
   * Empty for an aggregate without GROUP BY.
   */
  public static List<String> keyColumns(QueryBlock q, List<String> columns)
      throws PgTrickleException {
    List<String> normalizedOutputs = new ArrayList<>();
    for (var item : q.select()) {
      normalizedOutputs.add(normalize(item.expr().sql()));
    }
    List<String> result = new ArrayList<>();
    for (SqlExpr key : keys(q)) {
      int i = normalizedOutputs.indexOf(normalize(key.sql()));
      if (i < 0) {
        throw unsupported(
            "the key " + key.sql() + " that is not an output column",
            "Add " + key.sql() + " to the select list.");
      }
      result.add(columns.get(i));
    }
    return result;
  }

  /** Expression text compared token by token, without enclosing parentheses. */
  static String normalize(String sql) {
    List<Token> tokens;
    try {
      tokens = SqlLexer.tokenize(sql, false);
    } catch (PgTrickleException e) {
      return sql.strip();
    }
    int from = 0;
    int to = tokens.size();
    while (to - from >= 2
        && tokens.get(from).kind() == TokenKind.LEFT_PAREN
        && tokens.get(to - 1).kind() == TokenKind.RIGHT_PAREN
        && encloses(tokens, from, to - 1)) {
      from++;
      to--;
    }
    return tokens.subList(from, to).stream().map(Token::text).collect(Collectors.joining(" "));
  }

  private static boolean encloses(List<Token> tokens, int open, int close) {
    int depth = 0;
    for (int i = open; i <= close; i++) {
      TokenKind k = tokens.get(i).kind();
      if (k == TokenKind.LEFT_PAREN) {
        depth++;
      } else if (k == TokenKind.RIGHT_PAREN) {
        depth--;
        if (depth == 0 && i < close) {
          return false;
        }
      }
    }
    return true;
  }

  private static PgTrickleException unsupported(String what, String hint) {
    return PgTrickleException.builder(
            SqlState.FEATURE_NOT_SUPPORTED, "DIFFERENTIAL maintenance does not support " + what)
        .hint(hint != null ? hint : "Use refresh_mode => 'FULL' or 'AUTO'.")
        .build();
  }
}
