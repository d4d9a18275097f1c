package io.pgtrickle.server;

import io.pgtrickle.engine.immediate.ImmediateInterceptor;
import io.pgtrickle.sql.dml.StatementClass;
import io.pgtrickle.sql.dml.StatementClass.Kind;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * What each of a client's prepared statements and portals does, by name, so an Execute can be
 * judged for IMMEDIATE maintenance without its text. The unnamed statement and portal are the empty
 * name, replaced by each Parse and Bind.
 */
final class StatementClasses {
  /** For a portal whose statement the proxy never saw: it may write anything. */
  static final StatementClass UNKNOWN = new StatementClass(Kind.OTHER, Set.of(), true, Set.of());

  private final Map<String, StatementClass> statements = new HashMap<>();
  private final Map<String, StatementClass> portals = new HashMap<>();

  /** A Parse of {@code sql} as {@code statement}. */
  void parsed(String statement, String sql) {
    statements.put(statement, ImmediateInterceptor.classify(sql));
  }

  /** A Parse the proxy answers itself (an API call): its portals are not statements to judge. */
  void parsedApi(String statement) {
    statements.remove(statement);
  }

  /** The class of prepared statement {@code statement}. */
  StatementClass statement(String statement) {
    return statements.getOrDefault(statement, UNKNOWN);
  }

  /** A Bind of {@code statement} to {@code portal}. */
  void bound(String portal, String statement) {
    portals.put(portal, statements.getOrDefault(statement, UNKNOWN));
  }

  /** The class of what an Execute of {@code portal} runs. */
  StatementClass portal(String portal) {
    return portals.getOrDefault(portal, UNKNOWN);
  }

  /** A Close of a statement ({@code 'S'}) or portal ({@code 'P'}). */
  void closed(byte kind, String name) {
    (kind == 'S' ? statements : portals).remove(name);
  }

  /** The transaction ended, and with it every portal. */
  void transactionEnded() {
    portals.clear();
  }
}
