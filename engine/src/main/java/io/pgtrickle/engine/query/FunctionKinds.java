package io.pgtrickle.engine.query;

import io.pgtrickle.engine.session.Row;
import io.pgtrickle.engine.session.SqlSession;
import io.pgtrickle.sql.plan.FunctionCatalog;
import io.pgtrickle.sql.plan.FunctionKind;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * What each function a query calls is, read from {@code pg_proc}. A name is judged by all its
 * overloads, pessimistically: an aggregate if any is one, volatile if any is volatile.
 */
public final class FunctionKinds implements FunctionCatalog {
  private final Map<String, FunctionKind> kinds;

  private FunctionKinds(Map<String, FunctionKind> kinds) {
    this.kinds = kinds;
  }

  /**
   * Looks up every name in one query. Names come as the planner reports them: {@code name}, or
   * {@code schema.name} when the query qualifies the function, with the case of quoted names kept.
   */
  public static FunctionKinds load(SqlSession s, Set<String> names) throws SQLException {
    Map<String, FunctionKind> kinds = new HashMap<>();
    if (!names.isEmpty()) {
      for (Row r :
          s.query(
              "SELECT k.name, bool_or(p.prokind = 'a'), bool_or(p.prokind = 'w'),"
                  + " bool_or(p.provolatile = 'v'), bool_or(p.provolatile = 's')"
                  + " FROM unnest(string_to_array(?, chr(31))) AS k(name)"
                  + " JOIN pg_catalog.pg_proc p ON p.proname = split_part(k.name, '.', -1)"
                  + " JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
                  + " WHERE position('.' IN k.name) = 0"
                  + "    OR n.nspname = substr(k.name, 1, length(k.name)"
                  + "       - length(split_part(k.name, '.', -1)) - 1)"
                  + " GROUP BY k.name",
              String.join("\u001f", names))) {
        FunctionKind kind;
        if (r.bool(1)) {
          kind = FunctionKind.AGGREGATE;
        } else if (r.bool(2)) {
          kind = FunctionKind.WINDOW;
        } else if (r.bool(3)) {
          kind = FunctionKind.VOLATILE;
        } else if (r.bool(4)) {
          kind = FunctionKind.STABLE;
        } else {
          kind = FunctionKind.IMMUTABLE;
        }
        kinds.put(r.text(0), kind);
      }
    }
    return new FunctionKinds(kinds);
  }

  @Override
  public FunctionKind kind(String lowerCaseName) {
    return kinds.getOrDefault(lowerCaseName, FunctionKind.UNKNOWN);
  }
}
