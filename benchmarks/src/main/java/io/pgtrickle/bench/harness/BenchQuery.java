package io.pgtrickle.bench.harness;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The query shapes of the refresh benchmark, over {@code bench.orders} (the fact table, which
 * receives every change) and {@code bench.customers} (one customer per ten orders, ten regions,
 * never changed).
 */
public enum BenchQuery {
  /** Every row of the source, projected. */
  SCAN("SELECT id, customer_id, amount, status FROM bench.orders"),

  /** About one row in ten survives. */
  FILTER(
      "SELECT id, customer_id, amount FROM bench.orders"
          + " WHERE status = 'shipped' AND amount >= 500"),

  /** Five groups: COUNT/SUM/AVG of numeric, maintained from running totals. */
  AGG_FEW(
      "SELECT status, count(*) AS n, sum(amount) AS total, avg(amount) AS mean"
          + " FROM bench.orders GROUP BY status"),

  /** One group per customer (a tenth of the rows), also from running totals. */
  AGG_MANY(
      "SELECT customer_id, count(*) AS n, sum(amount) AS total"
          + " FROM bench.orders GROUP BY customer_id"),

  /** Each order with its customer's attributes. */
  JOIN(
      "SELECT o.id, o.amount, o.status, c.name, c.region"
          + " FROM bench.orders o JOIN bench.customers c ON c.id = o.customer_id"),

  /** Ten groups (regions) over the join, from running totals. */
  JOIN_AGG(
      "SELECT c.region, count(*) AS n, sum(o.amount) AS total"
          + " FROM bench.orders o JOIN bench.customers c ON c.id = o.customer_id"
          + " GROUP BY c.region"),

  /**
   * Every customer with its orders' count and total, customers without orders included: the
   * "customer 360" pattern. A LEFT JOIN aggregate is recomputed for the affected groups.
   */
  LEFT_JOIN_AGG(
      "SELECT c.id AS customer_id, c.region, count(o.id) AS n, sum(o.amount) AS total"
          + " FROM bench.customers c LEFT JOIN bench.orders o ON o.customer_id = c.id"
          + " GROUP BY c.id, c.region");

  private final String sql;

  BenchQuery(String sql) {
    this.sql = sql;
  }

  /** The defining query. */
  public String sql() {
    return sql;
  }

  /** The lower-case name used on the command line, in stream table names and in the CSV. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a comma-separated list of labels ({@code scan,agg_few}); {@code all} is every one. */
  public static List<BenchQuery> parseList(String text) {
    if (text.isBlank()) {
      return List.of();
    }
    if (text.equalsIgnoreCase("all")) {
      return List.of(values());
    }
    return Arrays.stream(text.split(","))
        .map(String::trim)
        .map(s -> valueOf(s.toUpperCase(Locale.ROOT)))
        .toList();
  }
}
