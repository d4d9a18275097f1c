package io.pgtrickle.sql.delta;

import io.pgtrickle.errors.PgTrickleException;
import io.pgtrickle.errors.SqlState;
import io.pgtrickle.sql.lex.SqlLexer;
import io.pgtrickle.sql.lex.Token;
import io.pgtrickle.sql.lex.TokenKind;
import io.pgtrickle.sql.plan.Distinct;
import io.pgtrickle.sql.plan.JoinNode;
import io.pgtrickle.sql.plan.QueryBlock;
import io.pgtrickle.sql.plan.SelectItem;
import io.pgtrickle.sql.plan.SqlExpr;
import io.pgtrickle.sql.plan.TableRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
    KEYED,
    /** COUNT, SUM and AVG updated in place from running totals. */
    ALGEBRAIC
  }

  /**
   * How a query is maintained, and by what key.
   *
   * @param keys the key expressions of a keyed query (empty for ZSET, and for an aggregate without
   *     GROUP BY, whose single group is its key)
   * @param keyColumns the stream-table columns holding the keys
   */
  public record Shape(Strategy strategy, List<SqlExpr> keys, List<String> keyColumns) {
    /** Defensive copies. */
    public Shape {
      keys = List.copyOf(keys);
      keyColumns = List.copyOf(keyColumns);
    }
  }

  /**
   * Whether and how {@code q} can be maintained incrementally.
   *
   * @param columns the stream table's columns, one per select item
   * @param primaryKeys each table alias's primary-key columns (empty when it has none)
   * @throws PgTrickleException 0A000 naming what prevents it
   */
  public static Shape check(
      QueryBlock q, List<String> columns, Map<String, List<String>> primaryKeys)
      throws PgTrickleException {
    return check(q, columns, primaryKeys, true);
  }

  /**
   * Like {@link #check(QueryBlock, List, Map)}; {@code exactTotals} says whether running totals of
   * the query's aggregate arguments would be exact (no floating-point sums), which only the
   * database knows. Without it, aggregates are recomputed per affected group.
   */
  public static Shape check(
      QueryBlock q,
      List<String> columns,
      Map<String, List<String>> primaryKeys,
      boolean exactTotals)
      throws PgTrickleException {
    if (columns.size() != q.select().size()) {
      throw new IllegalArgumentException("column count differs from the select list");
    }
    List<JoinNode> leftJoins = KeyedRecompute.leftJoins(q.from());
    for (JoinNode j : leftJoins) {
      if (!(j.right() instanceof TableRef)) {
        throw unsupported(
            "a LEFT JOIN whose right side is itself a join",
            "Join the inner tables in a stream table of their own and LEFT JOIN that.");
      }
      if (j.condition() == null) {
        throw unsupported("a LEFT JOIN without a condition", null);
      }
    }
    if (q.aggregated()) {
      Shape keyed = keyed(q.groupBy(), q, columns);
      return exactTotals && AlgebraicAggregate.eligible(q)
          ? new Shape(Strategy.ALGEBRAIC, keyed.keys(), keyed.keyColumns())
          : keyed;
    }
    if (q.distinct() instanceof Distinct.On on) {
      return keyed(on.keys(), q, columns);
    }
    if (q.distinct() instanceof Distinct.All) {
      return keyed(q.select().stream().map(SelectItem::expr).toList(), q, columns);
    }
    if (leftJoins.isEmpty()) {
      return new Shape(Strategy.ZSET, List.of(), List.of());
    }
    return keyed(preservedKeys(q, leftJoins, primaryKeys), q, columns);
  }

  /**
   * The keys of a select-project-join with LEFT JOINs: the primary keys of the tables no LEFT JOIN
   * can pad with NULLs. Each output row comes from one combination of their rows, so the output
   * partitions by those keys, provided they are output columns.
   */
  private static List<SqlExpr> preservedKeys(
      QueryBlock q, List<JoinNode> leftJoins, Map<String, List<String>> primaryKeys)
      throws PgTrickleException {
    List<String> padded = new ArrayList<>();
    for (JoinNode j : leftJoins) {
      padded.add(((TableRef) j.right()).alias());
    }
    List<SqlExpr> keys = new ArrayList<>();
    for (TableRef t : q.tables()) {
      if (padded.contains(t.alias())) {
        continue;
      }
      List<String> pk = primaryKeys.getOrDefault(t.alias(), List.of());
      if (pk.isEmpty()) {
        throw unsupported(
            "LEFT JOIN without GROUP BY or DISTINCT when " + t.sqlName() + " has no primary key",
            "Give " + t.sqlName() + " a primary key, or use refresh_mode => 'FULL'.");
      }
      for (String col : pk) {
        SqlExpr key = null;
        for (SelectItem item : q.select()) {
          if (isColumn(item.expr(), t.alias(), col)) {
            key = item.expr();
            break;
          }
        }
        if (key == null) {
          throw unsupported(
              "LEFT JOIN without GROUP BY or DISTINCT unless the primary key of "
                  + t.sqlName()
                  + " is selected",
              "Add " + t.alias() + "." + col + " to the select list.");
        }
        keys.add(key);
      }
    }
    return keys;
  }

  /** Whether {@code e} is exactly the column reference {@code alias.column}. */
  private static boolean isColumn(SqlExpr e, String alias, String column) {
    try {
      List<Token> t = SqlLexer.tokenize(e.sql(), false);
      return t.size() == 3
          && isName(t.get(0), alias)
          && t.get(1).kind() == TokenKind.DOT
          && isName(t.get(2), column);
    } catch (PgTrickleException ex) {
      return false;
    }
  }

  private static boolean isName(Token t, String name) {
    return (t.kind() == TokenKind.IDENTIFIER || t.kind() == TokenKind.QUOTED_IDENTIFIER)
        && t.value().equals(name);
  }

  private static Shape keyed(List<SqlExpr> keys, QueryBlock q, List<String> columns)
      throws PgTrickleException {
    return new Shape(Strategy.KEYED, keys, keyColumns(keys, q, columns));
  }

  /**
   * The refresh statement for the given pending changes.
   *
   * @param shape the result of {@link #check} for this query
   * @param leaves every table alias of the query with its change buffer
   */
  public static String generate(
      QueryBlock q, Shape shape, Map<String, SourceLeaf> leaves, Target target) {
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
    if (shape.strategy() == Strategy.ZSET) {
      return ZSetDelta.generate(q, renderer, changed, target);
    }
    if (shape.strategy() == Strategy.ALGEBRAIC) {
      if (target.totals() == null) {
        throw new IllegalArgumentException("an ALGEBRAIC refresh needs its totals table");
      }
      return AlgebraicAggregate.generate(
          q, renderer, changed, shape.keyColumns(), target, target.totals());
    }
    return KeyedRecompute.generate(q, renderer, changed, shape.keys(), shape.keyColumns(), target);
  }

  /**
   * The query computing the running totals of an ALGEBRAIC stream table from scratch; {@code CREATE
   * TABLE … AS} it defines the totals table, whose {@code __pgt_s<i>} columns show whether the sums
   * are exact.
   */
  public static String totalsQuery(QueryBlock q) {
    return AlgebraicAggregate.totalsQuery(q);
  }

  /** CTEs that rebuild the running totals inside a FULL recomputation's statement. */
  public static String totalsRebuild(QueryBlock q, String totals) {
    return AlgebraicAggregate.rebuildCtes(q, totals);
  }

  /**
   * An extra result ({@link Target#extraResults}) for the statement of an ALGEBRAIC stream table:
   * how many groups the delta left with a count of zero. Such groups stay in the totals table until
   * they are deleted, which reads every group, so the engine does it only when this is not 0.
   */
  public static String emptiedGroups() {
    return "(SELECT count(*) FROM __pgt_up WHERE __pgt_up.__pgt_count = 0)";
  }

  /** The group columns of the totals table, which its unique index covers. */
  public static List<String> totalsGroupColumns(QueryBlock q) {
    return AlgebraicAggregate.groupColumns(q);
  }

  /** The stream-table column holding each key; every key must be an output column. */
  private static List<String> keyColumns(List<SqlExpr> keys, QueryBlock q, List<String> columns)
      throws PgTrickleException {
    // The planner gives every expression one canonical text (whitespace collapsed, enclosing
    // parentheses dropped), so GROUP BY (date_trunc(…)) and its select item compare equal.
    List<String> outputs = q.select().stream().map(i -> i.expr().sql()).toList();
    List<String> result = new ArrayList<>();
    for (SqlExpr key : keys) {
      int i = outputs.indexOf(key.sql());
      if (i < 0) {
        throw unsupported(
            "the key " + key.sql() + " that is not an output column",
            "Add " + key.sql() + " to the select list.");
      }
      result.add(columns.get(i));
    }
    return result;
  }

  private static PgTrickleException unsupported(String what, String hint) {
    return PgTrickleException.builder(
            SqlState.FEATURE_NOT_SUPPORTED, "DIFFERENTIAL maintenance does not support " + what)
        .hint(hint != null ? hint : "Use refresh_mode => 'FULL' or 'AUTO'.")
        .build();
  }
}
