package io.pgtrickle.sql.plan;

import java.util.List;
import java.util.Set;
import net.sf.jsqlparser.expression.Function;

/**
 * A called function's decoded name. The catalog key is {@code name} or {@code schema.name}. Names
 * of SQL constructs that JSqlParser reads as calls (COALESCE, NULLIF, GREATEST, LEAST, the ANY in
 * {@code x = ANY (ARRAY[...])}, ARRAY(...), ROW(...)) are marked as syntax: they are no functions
 * PostgreSQL could look up, and a real function of such a reserved name would be printed quoted.
 *
 * @param schema the schema if the call was qualified, else null
 * @param name the function name
 * @param syntax whether this is one of the SQL constructs rather than a function
 */
record FunctionName(String schema, String name, boolean syntax) {
  private static final Set<String> SYNTAX =
      Set.of("coalesce", "nullif", "greatest", "least", "any", "some", "all", "array", "row");

  /** The name of {@code f}. */
  static FunctionName of(Function f) {
    List<String> parts = f.getMultipartName();
    if (parts == null || parts.isEmpty() || parts.size() > 2) {
      throw PlanErrors.internal("unexpected function name " + f.getName());
    }
    String last = parts.get(parts.size() - 1);
    String name = Names.decode(last);
    if (parts.size() == 2) {
      return new FunctionName(Names.decode(parts.get(0)), name, false);
    }
    return new FunctionName(null, name, !Names.isQuoted(last) && SYNTAX.contains(name));
  }

  /** The key {@link FunctionCatalog#kind(String)} is asked about. */
  String qualified() {
    return schema == null ? name : schema + "." + name;
  }

  /** Whether this names a built-in: unqualified or in pg_catalog. */
  boolean builtin() {
    return schema == null || schema.equals("pg_catalog");
  }
}
