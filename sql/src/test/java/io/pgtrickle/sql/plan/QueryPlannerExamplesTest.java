package io.pgtrickle.sql.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.errors.PgTrickleException;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The canonical texts quoted in the design brief, planned and checked field by field. */
class QueryPlannerExamplesTest {

  static QueryBlock plan(String sql) throws PgTrickleException {
    return QueryPlanner.plan(sql, TestCatalog.INSTANCE);
  }

  static SqlExpr expr(String sql, String... aliases) {
    return new SqlExpr(sql, Set.of(aliases), false);
  }

  static SqlExpr agg(String sql, String... aliases) {
    return new SqlExpr(sql, Set.of(aliases), true);
  }

  @Test
  void filterOnOneTable() throws Exception {
    QueryBlock q =
        plan(
            " SELECT orders.id, orders.customer_id, orders.region FROM orders"
                + " WHERE orders.amount > 10::numeric;");
    assertThat(q.from()).isEqualTo(new TableRef(null, "orders", "orders"));
    assertThat(q.select())
        .containsExactly(
            new SelectItem(expr("orders.id", "orders"), "id"),
            new SelectItem(expr("orders.customer_id", "orders"), "customer_id"),
            new SelectItem(expr("orders.region", "orders"), "region"));
    assertThat(q.where()).isEqualTo(expr("orders.amount > 10::numeric", "orders"));
    assertThat(q.groupBy()).isEmpty();
    assertThat(q.aggregated()).isFalse();
    assertThat(q.having()).isNull();
    assertThat(q.distinct()).isEqualTo(Distinct.NONE);
    assertThat(q.orderBy()).isEmpty();
    assertThat(q.aggregates()).isEmpty();
  }

  @Test
  void leftJoinWithAggregates() throws Exception {
    QueryBlock q =
        plan(
            " SELECT c.customer_id, c.name, count(o.id) AS total_orders,"
                + " COALESCE(sum(o.amount), 0::numeric) AS lifetime_value\n"
                + "   FROM customers c LEFT JOIN orders o ON o.customer_id = c.customer_id"
                + " GROUP BY c.customer_id, c.name;");
    assertThat(q.from())
        .isEqualTo(
            new JoinNode(
                JoinType.LEFT,
                new TableRef(null, "customers", "c"),
                new TableRef(null, "orders", "o"),
                expr("o.customer_id = c.customer_id", "o", "c")));
    assertThat(q.select())
        .extracting(SelectItem::outputName)
        .containsExactly("customer_id", "name", "total_orders", "lifetime_value");
    assertThat(q.select().get(2).expr()).isEqualTo(agg("count(o.id)", "o"));
    assertThat(q.select().get(3).expr()).isEqualTo(agg("COALESCE(sum(o.amount), 0::numeric)", "o"));
    assertThat(q.groupBy()).containsExactly(expr("c.customer_id", "c"), expr("c.name", "c"));
    assertThat(q.aggregated()).isTrue();
    assertThat(q.aggregates())
        .containsExactly(
            new AggregateCall("count", expr("o.id", "o"), false, "count(o.id)"),
            new AggregateCall("sum", expr("o.amount", "o"), false, "sum(o.amount)"));
  }

  @Test
  void groupByExpressionLosesPgGetViewdefsParentheses() throws Exception {
    QueryBlock q =
        plan(
            " SELECT date_trunc('hour'::text, orders.order_date::timestamp with time zone) AS hour,"
                + " orders.region, count(*) AS event_count\n"
                + "   FROM orders GROUP BY (date_trunc('hour'::text,"
                + " orders.order_date::timestamp with time zone)), orders.region;");
    SqlExpr hour =
        expr("date_trunc('hour'::text, orders.order_date::timestamp with time zone)", "orders");
    assertThat(q.select().get(0)).isEqualTo(new SelectItem(hour, "hour"));
    // The engine matches group keys to output columns by equality; the parentheses
    // pg_get_viewdef puts around GROUP BY expressions must not get in the way.
    assertThat(q.groupBy()).containsExactly(hour, expr("orders.region", "orders"));
    assertThat(q.select().get(2)).isEqualTo(new SelectItem(agg("count(*)"), "event_count"));
    assertThat(q.aggregates()).containsExactly(new AggregateCall("count", null, false, "count(*)"));
  }

  @Test
  void distinctOnKeepsItsOrderBy() throws Exception {
    QueryBlock q =
        plan(
            " SELECT DISTINCT ON (orders.customer_id) orders.customer_id, orders.region,"
                + " orders.payload AS st\n"
                + "   FROM orders WHERE orders.region = ANY (ARRAY['a'::text, 'b'::text])"
                + " ORDER BY orders.customer_id, orders.order_date DESC;");
    assertThat(q.distinct())
        .isEqualTo(new Distinct.On(List.of(expr("orders.customer_id", "orders"))));
    assertThat(q.where())
        .isEqualTo(expr("orders.region = ANY (ARRAY['a'::text, 'b'::text])", "orders"));
    assertThat(q.select())
        .extracting(SelectItem::outputName)
        .containsExactly("customer_id", "region", "st");
    assertThat(q.orderBy())
        .containsExactly(
            new OrderItem(expr("orders.customer_id", "orders"), false, null),
            new OrderItem(expr("orders.order_date", "orders"), true, null));
  }

  @Test
  void commaJoinWithLikeOperatorsAndCasts() throws Exception {
    QueryBlock q =
        plan(
            " SELECT o.id, c.name, (o.payload ->> 'amount'::text)::numeric AS amt"
                + " FROM orders o, customers c\n"
                + "   WHERE o.customer_id = c.customer_id AND c.tier IS NOT NULL"
                + " AND o.region ~~ 'E%'::text AND o.amount >= 1::numeric"
                + " AND o.amount <= 5::numeric;");
    assertThat(q.from())
        .isEqualTo(
            new JoinNode(
                JoinType.INNER,
                new TableRef(null, "orders", "o"),
                new TableRef(null, "customers", "c"),
                null));
    assertThat(q.select().get(2))
        .isEqualTo(new SelectItem(expr("(o.payload ->> 'amount'::text)::numeric", "o"), "amt"));
    // The ~~ survives verbatim: JSqlParser only ever saw it spelled LIKE.
    assertThat(q.where())
        .isEqualTo(
            expr(
                "o.customer_id = c.customer_id AND c.tier IS NOT NULL AND o.region ~~ 'E%'::text"
                    + " AND o.amount >= 1::numeric AND o.amount <= 5::numeric",
                "o", "c"));
  }

  @Test
  void aggregatesWithoutGroupBy() throws Exception {
    QueryBlock q = plan(" SELECT count(*) AS n, sum(orders.amount) AS s FROM orders;");
    assertThat(q.aggregated()).isTrue();
    assertThat(q.groupBy()).isEmpty();
    assertThat(q.select())
        .containsExactly(
            new SelectItem(agg("count(*)"), "n"),
            new SelectItem(agg("sum(orders.amount)", "orders"), "s"));
    assertThat(q.aggregates())
        .containsExactly(
            new AggregateCall("count", null, false, "count(*)"),
            new AggregateCall("sum", expr("orders.amount", "orders"), false, "sum(orders.amount)"));
  }

  @Test
  void selectDistinct() throws Exception {
    QueryBlock q = plan(" SELECT DISTINCT orders.region, orders.product_id FROM orders;");
    assertThat(q.distinct()).isEqualTo(Distinct.ALL);
    assertThat(q.aggregated()).isFalse();
    assertThat(q.select())
        .extracting(SelectItem::outputName)
        .containsExactly("region", "product_id");
  }

  @Test
  void joinChainIsLeftDeepAndKeepsSchemas() throws Exception {
    QueryBlock q =
        plan(
            " SELECT o.id, c.name FROM public.orders o JOIN public.customers c"
                + " ON c.customer_id = o.customer_id JOIN items i ON i.order_id = o.id");
    TableRef o = new TableRef("public", "orders", "o");
    TableRef c = new TableRef("public", "customers", "c");
    TableRef i = new TableRef(null, "items", "i");
    assertThat(q.from())
        .isEqualTo(
            new JoinNode(
                JoinType.INNER,
                new JoinNode(JoinType.INNER, o, c, expr("c.customer_id = o.customer_id", "c", "o")),
                i,
                expr("i.order_id = o.id", "i", "o")));
    assertThat(q.tables()).containsExactly(o, c, i);
    assertThat(o.sqlName()).isEqualTo("\"public\".\"orders\"");
    assertThat(i.sqlName()).isEqualTo("\"items\"");
  }

  @Test
  void quotedIdentifiersAreDecodedButKeptQuotedInSql() throws Exception {
    QueryBlock q =
        plan(
            "SELECT \"Order Items\".\"Qty\", \"Order Items\".note AS \"Note\""
                + " FROM \"Order Items\";");
    assertThat(q.from()).isEqualTo(new TableRef(null, "Order Items", "Order Items"));
    assertThat(q.select())
        .containsExactly(
            new SelectItem(expr("\"Order Items\".\"Qty\"", "Order Items"), "Qty"),
            new SelectItem(expr("\"Order Items\".note", "Order Items"), "Note"));
    assertThat(((TableRef) q.from()).sqlName()).isEqualTo("\"Order Items\"");
  }

  @Test
  void postgres16UnqualifiedColumnsGetTheirAliasWrittenOut() throws Exception {
    QueryBlock q =
        plan(" SELECT \"Qty\" * 2 AS dbl, note FROM \"Order Items\" oi WHERE note ~~ 'x';");
    assertThat(q.select())
        .containsExactly(
            new SelectItem(expr("oi.\"Qty\" * 2", "oi"), "dbl"),
            new SelectItem(expr("oi.note", "oi"), "note"));
    assertThat(q.where()).isEqualTo(expr("oi.note ~~ 'x'", "oi"));
    QueryBlock noAlias = plan("SELECT \"Qty\" FROM \"Order Items\"");
    assertThat(noAlias.select().get(0).expr().sql()).isEqualTo("\"Order Items\".\"Qty\"");
  }

  @Test
  void sqlValueKeywordsAreNotColumns() throws Exception {
    QueryBlock q =
        plan("SELECT CURRENT_USER AS u, LOCALTIMESTAMP AS t, \"current_user\" FROM accounts");
    assertThat(q.select().get(0).expr()).isEqualTo(expr("CURRENT_USER"));
    assertThat(q.select().get(1).expr()).isEqualTo(expr("LOCALTIMESTAMP"));
    // Quoted, it is a column of that name.
    assertThat(q.select().get(2))
        .isEqualTo(new SelectItem(expr("accounts.\"current_user\"", "accounts"), "current_user"));
  }

  @Test
  void outputNamesFollowPostgres() throws Exception {
    QueryBlock q =
        plan(
            "SELECT t.a, count(t.b), t.c::text, CASE WHEN t.d THEN 1 END, 1 + 2, upper(t.e),"
                + " COALESCE(t.f, 0), '1'::integer, t.g AS \"Mixed Case\" FROM t GROUP BY t.a,"
                + " t.c, t.d, t.e, t.f, t.g");
    assertThat(q.select())
        .extracting(SelectItem::outputName)
        .containsExactly(
            "a", "count", "c", "case", "?column?", "upper", "coalesce", "int4", "Mixed Case");
  }

  @Test
  void duplicateAggregatesAreListedOnce() throws Exception {
    QueryBlock q =
        plan(
            "SELECT t.k, sum(t.v) AS s, sum(t.v) / count(*) AS mean FROM t GROUP BY t.k"
                + " HAVING count(*) > 1 ORDER BY sum(t.v) DESC");
    assertThat(q.aggregates())
        .extracting(AggregateCall::sql)
        .containsExactly("sum(t.v)", "count(*)");
  }

  @Test
  void havingAloneMakesTheQueryAggregated() throws Exception {
    QueryBlock q = plan("SELECT 1 AS one FROM t HAVING true");
    assertThat(q.aggregated()).isTrue();
    assertThat(q.having()).isEqualTo(expr("true"));
  }

  @Test
  void nestedJoinBecomesTheRightInput() throws Exception {
    QueryBlock q =
        plan(
            "SELECT o.id FROM orders o LEFT JOIN (customers c JOIN items i ON i.order_id ="
                + " c.customer_id) ON c.customer_id = o.customer_id CROSS JOIN regions r");
    JoinNode top = (JoinNode) q.from();
    assertThat(top.type()).isEqualTo(JoinType.INNER);
    assertThat(top.condition()).isNull();
    assertThat(top.right()).isEqualTo(new TableRef(null, "regions", "r"));
    JoinNode left = (JoinNode) top.left();
    assertThat(left.type()).isEqualTo(JoinType.LEFT);
    assertThat(left.right())
        .isEqualTo(
            new JoinNode(
                JoinType.INNER,
                new TableRef(null, "customers", "c"),
                new TableRef(null, "items", "i"),
                expr("i.order_id = c.customer_id", "i", "c")));
    assertThat(q.tables()).extracting(TableRef::alias).containsExactly("o", "c", "i", "r");
  }

  @Test
  void stableFunctionsAreAllowed() throws Exception {
    QueryBlock q = plan("SELECT t.id, now() AS t0, CURRENT_DATE AS d FROM t WHERE t.ts > now()");
    assertThat(q.select()).extracting(SelectItem::outputName).containsExactly("id", "t0", "d");
  }

  @Test
  void tolerantOfLayout() throws Exception {
    String sql = "\tSELECT /* c */ t.a  AS  x,\r\n  t.b\t--tail\n FROM\tt ; ;";
    QueryBlock q = plan(sql);
    assertThat(q.select())
        .containsExactly(
            new SelectItem(expr("t.a", "t"), "x"), new SelectItem(expr("t.b", "t"), "b"));
  }
}
