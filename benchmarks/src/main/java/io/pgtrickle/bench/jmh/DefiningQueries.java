package io.pgtrickle.bench.jmh;

import io.pgtrickle.engine.cdc.ChangeBuffers;
import io.pgtrickle.engine.cdc.Frontier;
import io.pgtrickle.engine.refresh.RunningTotals;
import io.pgtrickle.sql.delta.DeltaGenerator;
import io.pgtrickle.sql.delta.SourceLeaf;
import io.pgtrickle.sql.delta.Target;
import io.pgtrickle.sql.plan.FunctionCatalog;
import io.pgtrickle.sql.plan.FunctionKind;
import io.pgtrickle.sql.plan.QueryBlock;
import io.pgtrickle.sql.plan.SelectItem;
import io.pgtrickle.sql.plan.TableRef;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Representative defining queries, in the canonical form the engine stores and plans: {@code
 * pg_get_viewdef} output of PostgreSQL 18 under an empty search path, so tables are
 * schema-qualified. They read {@code public.orders(id, customer_id, region, amount, order_date)}
 * and {@code public.customers(customer_id, name, tier)}, each keyed by its first column.
 *
 * <p>Besides the texts this holds, in memory, what the engine would otherwise read from the
 * catalog: function kinds, primary keys, source columns, change-buffer names and frontiers.
 */
final class DefiningQueries {
  private DefiningQueries() {}

  /** The queries by name, in the order of the report. */
  static final Map<String, String> QUERIES = new LinkedHashMap<>();

  static {
    QUERIES.put(
        "scan",
        """
         SELECT id,
            customer_id,
            region,
            amount,
            order_date
           FROM public.orders;""");
    QUERIES.put(
        "filter",
        """
         SELECT id,
            customer_id,
            amount
           FROM public.orders
          WHERE amount > 100::numeric AND region = 'EU'::text;""");
    QUERIES.put(
        "aggregate",
        """
         SELECT region,
            count(*) AS order_count,
            sum(amount) AS revenue
           FROM public.orders
          GROUP BY region;""");
    QUERIES.put(
        "join",
        """
         SELECT o.id,
            o.amount,
            c.name,
            c.tier
           FROM public.orders o
             JOIN public.customers c ON c.customer_id = o.customer_id;""");
    QUERIES.put(
        "join_aggregate",
        """
         SELECT c.tier,
            count(*) AS order_count,
            sum(o.amount) AS revenue
           FROM public.orders o
             JOIN public.customers c ON c.customer_id = o.customer_id
          GROUP BY c.tier;""");
    QUERIES.put(
        "left_join_aggregate",
        """
         SELECT c.customer_id,
            c.name,
            count(o.id) AS total_orders,
            COALESCE(sum(o.amount), 0::numeric) AS lifetime_value
           FROM public.customers c
             LEFT JOIN public.orders o ON o.customer_id = c.customer_id
          GROUP BY c.customer_id, c.name;""");
  }

  /** The strategy each query is maintained by; the unit test holds the planner to it. */
  static final Map<String, DeltaGenerator.Strategy> STRATEGIES =
      Map.of(
          "scan", DeltaGenerator.Strategy.ZSET,
          "filter", DeltaGenerator.Strategy.ZSET,
          "aggregate", DeltaGenerator.Strategy.ALGEBRAIC,
          "join", DeltaGenerator.Strategy.ZSET,
          "join_aggregate", DeltaGenerator.Strategy.ALGEBRAIC,
          "left_join_aggregate", DeltaGenerator.Strategy.KEYED);

  private static final Set<String> AGGREGATES = Set.of("count", "sum", "avg", "min", "max");

  /** What {@code pg_proc} says of the functions these queries call. */
  static final FunctionCatalog FUNCTIONS =
      name -> AGGREGATES.contains(name) ? FunctionKind.AGGREGATE : FunctionKind.IMMUTABLE;

  /** Table OIDs, standing in for what the engine resolves each alias to. */
  static final Map<String, Long> RELIDS = Map.of("orders", 16_390L, "customers", 16_401L);

  /** Each table's columns as {@code format_type} prints their types. */
  static final Map<String, List<SourceLeaf.Column>> COLUMNS =
      Map.of(
          "orders",
          List.of(
              new SourceLeaf.Column("id", "integer"),
              new SourceLeaf.Column("customer_id", "integer"),
              new SourceLeaf.Column("region", "text"),
              new SourceLeaf.Column("amount", "numeric(12,2)"),
              new SourceLeaf.Column("order_date", "timestamp without time zone")),
          "customers",
          List.of(
              new SourceLeaf.Column("customer_id", "integer"),
              new SourceLeaf.Column("name", "text"),
              new SourceLeaf.Column("tier", "text")));

  /** Each table's primary key. */
  static final Map<String, List<String>> PRIMARY_KEYS =
      Map.of("orders", List.of("id"), "customers", List.of("customer_id"));

  /** The stream table's columns: the query's output names. */
  static List<String> outputColumns(QueryBlock q) {
    return q.select().stream().map(SelectItem::outputName).toList();
  }

  /** Each alias's primary-key columns, as the engine passes them to {@link DeltaGenerator}. */
  static Map<String, List<String>> keysByAlias(QueryBlock q) {
    Map<String, List<String>> keys = new LinkedHashMap<>();
    for (TableRef t : q.tables()) {
      keys.put(t.alias(), PRIMARY_KEYS.getOrDefault(t.table(), List.of()));
    }
    return keys;
  }

  /**
   * Every alias with its change buffer and a frontier as a refresh finds one, all changed, as the
   * engine's DIFFERENTIAL refresh builds them.
   */
  static Map<String, SourceLeaf> leaves(QueryBlock q) {
    Frontier frontier = new Frontier("8812:8815:8813", "8811", 42);
    Map<String, SourceLeaf> leaves = new LinkedHashMap<>();
    for (TableRef t : q.tables()) {
      long relid = RELIDS.get(t.table());
      leaves.put(
          t.alias(),
          new SourceLeaf(
              ChangeBuffers.bufferName(relid),
              COLUMNS.get(t.table()),
              frontier.pendingPredicate("__pgt_b"),
              true));
    }
    return leaves;
  }

  /** The stream table, with the extra results the engine asks for (its new frontier). */
  static Target target(QueryBlock q, DeltaGenerator.Shape shape) {
    List<String> extras = new ArrayList<>();
    extras.add("statement_timestamp()");
    extras.add("pg_current_snapshot()::text");
    extras.add("pg_current_xact_id()::text");
    Set<Long> sources = new LinkedHashSet<>();
    for (TableRef t : q.tables()) {
      sources.add(RELIDS.get(t.table()));
    }
    for (long relid : sources) {
      extras.add(
          "(SELECT coalesce(max(__pgt_change_id), 0) FROM "
              + ChangeBuffers.bufferName(relid)
              + " WHERE __pgt_xid = pg_current_xact_id())");
    }
    boolean algebraic = shape.strategy() == DeltaGenerator.Strategy.ALGEBRAIC;
    return new Target(
        "\"public\".\"st_bench\"",
        outputColumns(q),
        extras,
        algebraic ? RunningTotals.name(7) : null);
  }
}
