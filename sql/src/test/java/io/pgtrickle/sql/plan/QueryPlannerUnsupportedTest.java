package io.pgtrickle.sql.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.pgtrickle.errors.PgTrickleException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every construct DIFFERENTIAL maintenance rejects: 0A000, a message that names the construct and
 * quotes it, the hint, and the position of the quoted text in the defining query. The texts are
 * pg_get_viewdef output (flattened to one line) unless a comment says otherwise.
 */
class QueryPlannerUnsupportedTest {

  static Stream<Arguments> constructs() {
    return Stream.of(
        // Statement shape
        arguments(
            "WITH x AS ( SELECT orders.id FROM orders ) SELECT x.id FROM x",
            "WITH (common table expressions)",
            "WITH x AS ( SELECT orders.id FROM orders ) SELECT x.id FROM x"),
        arguments(
            "SELECT orders.id FROM orders UNION SELECT items.id FROM items",
            "set operations (UNION, INTERSECT, EXCEPT)",
            "UNION SELECT items.id FROM items"),
        arguments(
            "SELECT orders.id FROM orders INTERSECT SELECT items.id FROM items",
            "set operations (UNION, INTERSECT, EXCEPT)",
            "INTERSECT SELECT items.id FROM items"),
        arguments(
            "SELECT orders.id FROM orders EXCEPT ALL SELECT items.id FROM items",
            "set operations (UNION, INTERSECT, EXCEPT)",
            "EXCEPT ALL SELECT items.id FROM items"),
        arguments(" VALUES (1), (2);", "VALUES lists", "VALUES (1), (2)"),
        arguments("SELECT 1 AS one;", "queries without FROM", "SELECT 1 AS one"),
        arguments("SELECT orders.id FROM orders ORDER BY orders.id LIMIT 10", "LIMIT", "LIMIT 10"),
        arguments("SELECT orders.id FROM orders OFFSET 5", "OFFSET", "OFFSET 5"),
        // hand-written: PostgreSQL prints FETCH FIRST n ROWS ONLY as LIMIT
        arguments(
            "SELECT t.id FROM t FETCH FIRST 5 ROWS ONLY", "FETCH FIRST", "FETCH FIRST 5 ROWS ONLY"),
        arguments(
            "SELECT orders.id FROM orders FOR UPDATE OF orders",
            "row locking (FOR UPDATE/SHARE)",
            "FOR UPDATE OF orders"),
        arguments(
            "SELECT orders.id FROM orders FOR SHARE",
            "row locking (FOR UPDATE/SHARE)",
            "FOR SHARE"),
        // Subqueries
        arguments(
            "SELECT t.id FROM ( SELECT orders.id FROM orders) t",
            "subqueries in FROM",
            "( SELECT orders.id FROM orders) t"),
        arguments(
            "SELECT o.id FROM orders o WHERE (EXISTS ( SELECT 1 FROM items i WHERE i.order_id ="
                + " o.id))",
            "EXISTS subqueries",
            "EXISTS ( SELECT 1 FROM items i WHERE i.order_id = o.id)"),
        arguments(
            "SELECT o.id FROM orders o WHERE (o.id IN ( SELECT items.order_id FROM items))",
            "IN (SELECT …) subqueries",
            "o.id IN ( SELECT items.order_id FROM items)"),
        arguments(
            "SELECT o.id FROM orders o WHERE (o.id > ALL ( SELECT items.order_id FROM items))",
            "ANY/ALL (SELECT …) subqueries",
            "o.id > ALL ( SELECT items.order_id FROM items)"),
        arguments(
            "SELECT o.id, ( SELECT max(i.price) AS max FROM items i WHERE i.order_id = o.id) AS mp"
                + " FROM orders o",
            "subqueries",
            "( SELECT max(i.price) AS max FROM items i WHERE i.order_id = o.id)"),
        arguments("SELECT ARRAY( SELECT 1) AS a FROM orders", "subqueries", "SELECT 1"),
        // hand-written: hidden where JSqlParser's visitor does not look
        arguments(
            "SELECT SUBSTRING(( SELECT 'x'::text) FROM 1) AS s FROM t",
            "subqueries",
            "( SELECT 'x'::text)"),
        // Window functions
        arguments(
            "SELECT o.id, rank() OVER (PARTITION BY o.region ORDER BY o.amount DESC) AS r FROM"
                + " orders o",
            "window functions",
            "rank() OVER (PARTITION BY o.region ORDER BY o.amount DESC)"),
        arguments(
            "SELECT o.id, sum(o.amount) OVER w AS r FROM orders o WINDOW w AS (PARTITION BY"
                + " o.region)",
            "window functions",
            "WINDOW w AS (PARTITION BY o.region)"),
        arguments(
            "SELECT o.id, sum(o.amount) OVER (PARTITION BY o.region) AS r FROM orders o",
            "window functions",
            "sum(o.amount) OVER (PARTITION BY o.region)"),
        // hand-written: a WINDOW-kind function without OVER
        arguments("SELECT row_number() AS r FROM t", "window functions", "row_number()"),
        // Joins and FROM items
        arguments(
            "SELECT o.id FROM orders o RIGHT JOIN customers c ON c.customer_id = o.customer_id",
            "RIGHT joins",
            "RIGHT JOIN customers c ON c.customer_id = o.customer_id"),
        arguments(
            "SELECT o.id FROM orders o FULL JOIN customers c ON c.customer_id = o.customer_id",
            "FULL joins",
            "FULL JOIN customers c ON c.customer_id = o.customer_id"),
        arguments(
            "SELECT o.id FROM orders o JOIN customers c USING (customer_id)",
            "JOIN … USING",
            "JOIN customers c USING (customer_id)"),
        // hand-written: PostgreSQL prints NATURAL JOIN as USING
        arguments(
            "SELECT o.id FROM orders o NATURAL JOIN items i",
            "NATURAL joins",
            "NATURAL JOIN items i"),
        arguments(
            "SELECT o.id, e.value FROM orders o, LATERAL jsonb_array_elements(o.payload) e(value)",
            "set-returning functions in FROM",
            "LATERAL jsonb_array_elements(o.payload) e(value)"),
        arguments(
            "SELECT g.i FROM generate_series(1, 3) g(i)",
            "set-returning functions in FROM",
            "generate_series(1, 3) g(i)"),
        arguments(
            "SELECT o.id, x.k FROM orders o CROSS JOIN LATERAL ( SELECT o.id + 1 AS k) x",
            "LATERAL subqueries",
            "LATERAL ( SELECT o.id + 1 AS k) x"),
        arguments("SELECT v.a FROM ( VALUES (1), (2)) v(a)", "VALUES lists", "VALUES (1), (2)"),
        arguments(
            "SELECT x.id FROM (orders o JOIN customers c ON c.customer_id = o.customer_id) x(id)",
            "an alias on a parenthesized join",
            "(orders o JOIN customers c ON c.customer_id = o.customer_id) x(id)"),
        arguments("SELECT o.a FROM orders o(a, b)", "column aliases in FROM", "orders o(a, b)"),
        arguments("SELECT orders.id FROM ONLY orders", "FROM ONLY", "ONLY orders"),
        arguments(
            "SELECT orders.id FROM orders TABLESAMPLE system (10)",
            "TABLESAMPLE",
            "orders TABLESAMPLE system (10)"),
        // hand-written: PostgreSQL itself rejects a repeated alias
        arguments(
            "SELECT o.id FROM orders o JOIN customers o ON true",
            "the same table alias twice in FROM",
            "customers o"),
        // Grouping
        arguments(
            "SELECT orders.region, count(*) AS count FROM orders GROUP BY GROUPING SETS"
                + " ((orders.region), ())",
            "GROUPING SETS",
            "GROUP BY GROUPING SETS ((orders.region), ())"),
        arguments(
            "SELECT orders.region, count(*) AS count FROM orders GROUP BY ROLLUP(orders.region,"
                + " orders.product_id)",
            "ROLLUP and CUBE",
            "ROLLUP(orders.region, orders.product_id)"),
        arguments(
            "SELECT orders.region, count(*) AS count FROM orders GROUP BY CUBE(orders.region)",
            "ROLLUP and CUBE",
            "CUBE(orders.region)"),
        // Aggregates
        arguments(
            "SELECT o.region, string_agg(c.name, ','::text) AS string_agg FROM orders o JOIN"
                + " customers c ON c.customer_id = o.customer_id GROUP BY o.region",
            "the aggregate function string_agg()",
            "string_agg(c.name, ','::text)"),
        arguments(
            "SELECT orders.region, array_agg(orders.id) AS ids FROM orders GROUP BY"
                + " orders.region",
            "the aggregate function array_agg()",
            "array_agg(orders.id)"),
        arguments(
            "SELECT bool_and(orders.flag) AS b FROM orders",
            "the aggregate function bool_and()",
            "bool_and(orders.flag)"),
        arguments(
            "SELECT json_agg(orders.*) AS j FROM orders",
            "the aggregate function json_agg()",
            "json_agg(orders.*)"),
        arguments(
            "SELECT stddev(orders.amount) AS s FROM orders",
            "the aggregate function stddev()",
            "stddev(orders.amount)"),
        arguments(
            "SELECT count(DISTINCT orders.customer_id) AS n FROM orders",
            "aggregates with DISTINCT",
            "count(DISTINCT orders.customer_id)"),
        arguments(
            "SELECT sum(orders.amount) FILTER (WHERE orders.amount > 0::numeric) AS s FROM"
                + " orders",
            "aggregates with FILTER",
            "sum(orders.amount) FILTER (WHERE orders.amount > 0::numeric)"),
        arguments(
            "SELECT sum(orders.amount ORDER BY orders.id) AS s FROM orders",
            "aggregates with ORDER BY",
            "sum(orders.amount ORDER BY orders.id)"),
        arguments(
            "SELECT percentile_cont(0.5::double precision) WITHIN GROUP (ORDER BY"
                + " (orders.amount::double precision)) AS p FROM orders",
            "ordered-set aggregates (WITHIN GROUP)",
            "percentile_cont(0.5::double precision) WITHIN GROUP (ORDER BY (orders.amount:…"),
        // hand-written: PostgreSQL rejects aggregates here itself
        arguments(
            "SELECT t.a FROM t WHERE count(*) > 1", "aggregate functions in WHERE", "count(*)"),
        arguments(
            "SELECT sum(count(*)) AS s FROM t",
            "aggregate functions in an aggregate's argument",
            "count(*)"),
        // Functions
        arguments("SELECT orders.id, random() AS r FROM orders", "volatile functions", "random()"),
        arguments(
            "SELECT orders.id, nextval('s'::regclass) AS n FROM orders",
            "volatile functions",
            "nextval('s'::regclass)"),
        arguments(
            "SELECT orders.id FROM orders WHERE orders.order_date < clock_timestamp()",
            "volatile functions",
            "clock_timestamp()"),
        // hand-written: hidden where JSqlParser's visitor does not look
        arguments(
            "SELECT SUBSTRING(random()::text FROM 1 FOR 2) AS s FROM t",
            "volatile functions",
            "random()"),
        arguments(
            "SELECT mystery(t.a) AS m FROM t",
            "functions missing from the catalog",
            "mystery(t.a)"),
        // Names
        arguments(
            "SELECT x.id FROM orders o",
            "references to columns outside the query's FROM clause",
            "x.id"),
        arguments(
            "SELECT id FROM orders o, customers c",
            "unqualified column references in a query over several tables",
            "id"));
  }

  @ParameterizedTest(name = "{1}: {0}")
  @MethodSource("constructs")
  void rejectedWithTheConstructNamedAndQuoted(String sql, String construct, String shown) {
    PgTrickleException e = reject(sql);
    assertThat(e.getSQLState()).isEqualTo("0A000");
    assertThat(e.getMessage())
        .startsWith("DIFFERENTIAL maintenance does not support " + construct + " (" + shown + ")");
    assertThat(e.hint()).isEqualTo("use refresh_mode => 'FULL' or 'AUTO'");
    assertThat(e.internalQuery()).isEqualTo(sql);
    String located = shown.endsWith("…") ? shown.substring(0, shown.length() - 1) : shown;
    assertThat(e.internalPosition())
        .as("position of the quoted text")
        .isEqualTo(sql.indexOf(located) + 1);
  }

  @Test
  void volatileFunctionsSayWhy() {
    assertThat(reject("SELECT random() AS r FROM t").getMessage())
        .endsWith(
            ": a volatile function may return something else on every call, so incrementally"
                + " maintained results would differ from a re-run of the query");
  }

  @Test
  void unsupportedAggregatesListTheSupportedOnes() {
    assertThat(reject("SELECT string_agg(t.a, ','::text) AS s FROM t").getMessage())
        .endsWith(": the supported aggregates are count, sum, avg, min and max");
  }

  @Test
  void multiLineTextIsQuotedOnOneLine() {
    String sql =
        " SELECT o.id,\n    rank() OVER (PARTITION BY o.region\n ORDER BY o.amount) AS r\n"
            + "   FROM orders o;";
    assertThat(reject(sql).getMessage())
        .isEqualTo(
            "DIFFERENTIAL maintenance does not support window functions"
                + " (rank() OVER (PARTITION BY o.region ORDER BY o.amount))");
  }

  @Test
  void textTheParserCannotReadIsNotSupported() {
    String sql = "SELECT t.a FROM t WHERE t.a OPERATOR(pg_catalog.~~) 'x'::text";
    PgTrickleException e = reject(sql);
    assertThat(e.getSQLState()).isEqualTo("0A000");
    assertThat(e.getMessage())
        .startsWith(
            "DIFFERENTIAL maintenance does not support this query: the planner's SQL parser"
                + " cannot read it near ");
    assertThat(e.hint()).isEqualTo("use refresh_mode => 'FULL' or 'AUTO'");
    assertThat(e.getCause()).isNotNull();
    assertThat(e.internalPosition()).isBetween(1, sql.length());
  }

  @Test
  void malformedTextIsASyntaxError() {
    assertThat(reject("  ; ").getSQLState()).isEqualTo("42601");
    assertThat(reject("SELECT t.a FROM t; SELECT 1").getMessage())
        .isEqualTo("the defining query must be a single statement");
    assertThat(reject("SELECT 'open FROM t").getSQLState()).isEqualTo("42601");
  }

  @Test
  void theFirstProblemInTheTextIsReported() {
    assertThat(reject("SELECT random() AS r, rank() OVER () AS k FROM t").getMessage())
        .contains("volatile functions (random())");
  }

  static PgTrickleException reject(String sql) {
    return (PgTrickleException) catchThrowable(() -> QueryPlanner.plan(sql, TestCatalog.INSTANCE));
  }

  private static Throwable catchThrowable(org.assertj.core.api.ThrowableAssert.ThrowingCallable c) {
    Throwable t = org.assertj.core.api.Assertions.catchThrowable(c);
    assertThat(t).isInstanceOf(PgTrickleException.class);
    return t;
  }
}
