package io.pgtrickle.bench.jmh;

import io.pgtrickle.engine.session.Row;
import io.pgtrickle.engine.session.SqlSession;
import io.pgtrickle.sql.plan.FunctionKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A {@link SqlSession} answering, from {@link DefiningQueries}' in-memory catalog, the three
 * catalog reads that planning a query for incremental maintenance makes: function kinds, primary
 * keys, and whether running totals would be exact. It lets a benchmark fill the plan cache without
 * a database; any other statement is refused, so a change in what planning reads shows up here.
 */
final class CatalogStub extends RefusingSession {
  private static final Map<String, String> TABLES =
      Map.of("\"public\".\"orders\"", "orders", "\"public\".\"customers\"", "customers");

  @Override
  public List<Row> query(String sql, Object... params) {
    if (sql.contains("pg_catalog.pg_proc")) {
      List<Row> rows = new ArrayList<>();
      for (String name : ((String) params[0]).split("\u001f")) {
        boolean aggregate = DefiningQueries.FUNCTIONS.kind(name) == FunctionKind.AGGREGATE;
        rows.add(new Row(List.of(name, aggregate ? "t" : "f", "f", "f", "f")));
      }
      return rows;
    }
    if (sql.contains("i.indisprimary")) {
      String table = TABLES.get((String) params[0]);
      return DefiningQueries.PRIMARY_KEYS.getOrDefault(table, List.of()).stream()
          .map(c -> new Row(List.of(c)))
          .toList();
    }
    if (sql.contains("__pgt_totals_probe")) {
      // Every sum of these queries is over numeric: no inexact column.
      return List.of(new Row(List.of("0")));
    }
    throw new UnsupportedOperationException("not in the in-memory catalog: " + sql);
  }

  @Override
  public long rawUpdate(String sql) {
    if (sql.contains("__pgt_totals_probe")) {
      return 0;
    }
    throw new UnsupportedOperationException("not in the in-memory catalog: " + sql);
  }

  @Override
  public boolean inTransaction() {
    return true;
  }
}
