package io.pgtrickle.sql.plan;

import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import net.sf.jsqlparser.expression.Alias;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.imprt.Import;
import net.sf.jsqlparser.statement.piped.FromQuery;
import net.sf.jsqlparser.statement.select.FromItem;
import net.sf.jsqlparser.statement.select.FromItemVisitor;
import net.sf.jsqlparser.statement.select.Join;
import net.sf.jsqlparser.statement.select.LateralSubSelect;
import net.sf.jsqlparser.statement.select.ParenthesedFromItem;
import net.sf.jsqlparser.statement.select.ParenthesedSelect;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.SetOperationList;
import net.sf.jsqlparser.statement.select.TableFunction;
import net.sf.jsqlparser.statement.select.TableStatement;
import net.sf.jsqlparser.statement.select.Values;

/**
 * The query's range table: each FROM table with the alias column references use. Built in a pass of
 * its own, before any expression is read, because an ON condition may name any table of the FROM
 * clause; the same pass rejects FROM items that are not plain tables.
 */
final class Scope implements FromItemVisitor<Void> {
  private final CanonicalText text;
  private final Map<String, TableRef> byAlias = new LinkedHashMap<>();
  private final Map<String, String> qualifiers = new LinkedHashMap<>();
  private final Map<Table, TableRef> byTable = new IdentityHashMap<>();

  private Scope(CanonicalText text) {
    this.text = text;
  }

  /** Collects and checks the FROM items of {@code select}. */
  static Scope of(PlainSelect select, CanonicalText text) {
    Scope scope = new Scope(text);
    scope.collect(select.getFromItem(), select.getJoins());
    return scope;
  }

  /** The table reference JSqlParser's {@code table} became. */
  TableRef table(Table table) {
    TableRef ref = byTable.get(table);
    if (ref == null) {
      throw PlanErrors.internal("table " + table + " missing from the range table");
    }
    return ref;
  }

  /** The table with this (decoded) alias, or null. */
  TableRef alias(String alias) {
    return byAlias.get(alias);
  }

  /** The only table of the FROM clause, or null if there are several. */
  TableRef single() {
    return byAlias.size() == 1 ? byAlias.values().iterator().next() : null;
  }

  /** How a reference to {@code ref}'s columns is qualified in SQL: {@code o.} or {@code "T".}. */
  String qualifier(TableRef ref) {
    return qualifiers.get(ref.alias()) + ".";
  }

  private void collect(FromItem first, Iterable<Join> joins) {
    first.accept(this, null);
    if (joins != null) {
      for (Join join : joins) {
        join.getRightItem().accept(this, null);
      }
    }
  }

  @Override
  public <S> Void visit(Table table, S context) {
    Span span = text.span(table);
    if (table.getSampleClause() != null) {
      throw PlanErrors.unsupported(text, span, "TABLESAMPLE");
    }
    // JSqlParser drops ONLY on the floor; the token before the table tells.
    if (span != null && span.from() > 0 && text.token(span.from() - 1).isWord("only")) {
      throw PlanErrors.unsupported(
          text,
          new Span(span.from() - 1, span.to()),
          "FROM ONLY",
          "changes are captured for the whole inheritance tree");
    }
    if (table.getNameParts().size() > 2 || table.getPivot() != null || table.getUnPivot() != null) {
      throw PlanErrors.unsupported(text, span, "this FROM item");
    }
    String schema = table.getSchemaName() == null ? null : Names.decode(table.getSchemaName());
    String name = Names.decode(table.getName());
    Alias alias = table.getAlias();
    if (alias != null && alias.getAliasColumns() != null && !alias.getAliasColumns().isEmpty()) {
      throw PlanErrors.unsupported(text, span, "column aliases in FROM");
    }
    String rawAlias = alias == null ? table.getName() : alias.getName();
    TableRef ref = new TableRef(schema, name, Names.decode(rawAlias));
    if (byAlias.containsKey(ref.alias())) {
      throw PlanErrors.unsupported(
          text,
          span,
          "the same table alias twice in FROM",
          "\"" + ref.alias() + "\" would not tell the two apart");
    }
    byAlias.put(ref.alias(), ref);
    qualifiers.put(ref.alias(), Names.qualifier(rawAlias));
    byTable.put(table, ref);
    return null;
  }

  @Override
  public <S> Void visit(ParenthesedFromItem item, S context) {
    FromItem inner = item.getFromItem();
    // "(VALUES ...) v(a)" also arrives here; let the inner item say what it is first.
    if (!(inner instanceof Table) && !(inner instanceof ParenthesedFromItem)) {
      inner.accept(this, context);
    }
    if (item.getAlias() != null) {
      throw PlanErrors.unsupported(text, item, "an alias on a parenthesized join", null);
    }
    collect(inner, item.getJoins());
    return null;
  }

  @Override
  public <S> Void visit(ParenthesedSelect select, S context) {
    throw PlanErrors.unsupported(text, select, "subqueries in FROM", null);
  }

  @Override
  public <S> Void visit(LateralSubSelect select, S context) {
    throw PlanErrors.unsupported(text, select, "LATERAL subqueries", null);
  }

  @Override
  public <S> Void visit(TableFunction function, S context) {
    throw PlanErrors.unsupported(text, function, "set-returning functions in FROM", null);
  }

  @Override
  public <S> Void visit(Values values, S context) {
    throw PlanErrors.unsupported(text, values, "VALUES lists", null);
  }

  @Override
  public <S> Void visit(PlainSelect select, S context) {
    throw PlanErrors.unsupported(text, select, "subqueries in FROM", null);
  }

  @Override
  public <S> Void visit(SetOperationList list, S context) {
    throw PlanErrors.unsupported(text, list, "subqueries in FROM", null);
  }

  @Override
  public <S> Void visit(TableStatement statement, S context) {
    throw PlanErrors.unsupported(text, statement, "this FROM item", null);
  }

  @Override
  public <S> Void visit(Import importStatement, S context) {
    throw PlanErrors.unsupported(text, importStatement, "this FROM item", null);
  }

  @Override
  public <S> Void visit(FromQuery fromQuery, S context) {
    throw PlanErrors.unsupported(text, fromQuery, "this FROM item", null);
  }
}
