package io.pgtrickle.sql.plan;

import java.util.Locale;
import java.util.Map;
import net.sf.jsqlparser.expression.ArrayConstructor;
import net.sf.jsqlparser.expression.CaseExpression;
import net.sf.jsqlparser.expression.CastExpression;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.ExtractExpression;
import net.sf.jsqlparser.expression.Function;
import net.sf.jsqlparser.expression.RowConstructor;
import net.sf.jsqlparser.expression.TimeKeyExpression;
import net.sf.jsqlparser.expression.TrimFunction;
import net.sf.jsqlparser.expression.operators.relational.ParenthesedExpressionList;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.statement.select.SelectItem;

/**
 * Names output columns as PostgreSQL does (FigureColname in parse_target.c). pg_get_viewdef writes
 * AS for every item whose name does not follow from a plain column reference, so the inference
 * below only matters for bare columns; the rest is a best effort for hand-written input.
 */
final class OutputNames {
  /** What PostgreSQL calls a cast's result when the operand gives no name: the internal type. */
  private static final Map<String, String> TYPE_NAMES =
      Map.ofEntries(
          Map.entry("integer", "int4"),
          Map.entry("int", "int4"),
          Map.entry("bigint", "int8"),
          Map.entry("smallint", "int2"),
          Map.entry("real", "float4"),
          Map.entry("double precision", "float8"),
          Map.entry("boolean", "bool"),
          Map.entry("character varying", "varchar"),
          Map.entry("character", "bpchar"),
          Map.entry("char", "bpchar"),
          Map.entry("timestamp with time zone", "timestamptz"),
          Map.entry("timestamp without time zone", "timestamp"),
          Map.entry("time with time zone", "timetz"),
          Map.entry("time without time zone", "time"));

  private OutputNames() {}

  /** The output name of {@code item}. */
  static String of(SelectItem<?> item) {
    if (item.getAlias() != null) {
      return Names.decode(item.getAlias().getName());
    }
    Guess g = guess(item.getExpression());
    return g.strength > 0 ? g.name : "?column?";
  }

  /** A candidate name and how sure PostgreSQL is of it (0 none, 1 weak, 2 strong). */
  private record Guess(String name, int strength) {}

  private static Guess guess(Expression e) {
    if (e instanceof Column c) {
      return new Guess(Names.decode(c.getColumnName()), 2);
    }
    if (e instanceof Function f) {
      return new Guess(FunctionName.of(f).name(), 2);
    }
    if (e instanceof CastExpression c) {
      Guess inner = guess(c.getLeftExpression());
      return inner.strength > 1 ? inner : new Guess(typeName(c), 1);
    }
    if (e instanceof CaseExpression) {
      return new Guess("case", 1);
    }
    if (e instanceof ParenthesedExpressionList<?> p && p.size() == 1) {
      return guess(p.get(0));
    }
    if (e instanceof ArrayConstructor) {
      return new Guess("array", 2);
    }
    if (e instanceof RowConstructor) {
      return new Guess("row", 2);
    }
    if (e instanceof ExtractExpression) {
      return new Guess("extract", 2);
    }
    if (e instanceof TrimFunction) {
      return new Guess("btrim", 2);
    }
    if (e instanceof TimeKeyExpression t) {
      return new Guess(t.getStringValue().toLowerCase(Locale.ROOT), 2);
    }
    return new Guess("?column?", 0);
  }

  private static String typeName(CastExpression c) {
    if (c.getColDataType() == null || c.getColDataType().getDataType() == null) {
      return "?column?";
    }
    String type = c.getColDataType().getDataType().trim();
    String plain = type.replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
    if (type.startsWith("\"")) {
      return Names.decode(type);
    }
    return TYPE_NAMES.getOrDefault(plain, plain);
  }
}
