package io.pgtrickle.sql.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Expression text round trips: what the model holds is the canonical text itself, whichever clause
 * the expression stands in, it plans back to itself, and PostgreSQL 16+'s unqualified spelling
 * gives the same result. The first block of inputs is pg_get_viewdef output of PostgreSQL 15 for a
 * select list over {@code orders o}; the rest are hand-written forms.
 */
class SqlExprRoundTripTest {

  static Stream<Arguments> expressions() {
    return Stream.of(
        same("o.region"),
        same("o.amount::integer"),
        same("1 + 2"),
        same("CASE WHEN o.flag THEN 1 ELSE NULL::integer END"),
        same("COALESCE(o.region, 'x'::text)"),
        same("NULLIF(o.region, 'y'::text)"),
        same("GREATEST(1, 2)"),
        same("SUBSTRING(o.region FROM 1 FOR 2)"),
        same("EXTRACT(year FROM o.order_date)"),
        same("CURRENT_DATE"),
        same("now()"),
        same("o.region ~~ 'x%'::text"),
        same("o.region !~~* 'y'::text"),
        same("o.region !~~ 'y'::text"),
        same("o.region ~~* 'y'::text"),
        same("o.amount >= 1::numeric AND o.amount <= 2::numeric"),
        same("POSITION(('a'::text) IN (o.region))"),
        same("TRIM(BOTH FROM o.region)"),
        same("o.region = ANY (ARRAY['a'::text, 'b'::text])"),
        same("o.payload #>> '{a,b}'::text[]"),
        same("ROW(1, 2) IS NULL"),
        same("ARRAY[1, 2]"),
        same("(o.payload -> 'a'::text)::text"),
        same("o.amount IS DISTINCT FROM 3::numeric"),
        same("NOT o.amount IS DISTINCT FROM 3::numeric"),
        same("o.flag IS TRUE"),
        same("o.amount::numeric(10,2)"),
        same("o.region COLLATE \"C\""),
        arguments(
            "(o.order_date AT TIME ZONE 'UTC'::text)", "o.order_date AT TIME ZONE 'UTC'::text"),
        same("'1 day'::interval"),
        same("CURRENT_TIMESTAMP"),
        same("LOCALTIMESTAMP"),
        same("CURRENT_USER"),
        same("'x'::text || o.region"),
        same("o.region::character varying(3)"),
        same("o.order_date::timestamp with time zone"),
        same("o.amount::double precision"),
        same("- o.amount"),
        same("NOT o.flag"),
        same("o.payload ? 'a'::text"),
        same("o.payload @> '{}'::jsonb"),
        same("o.region ~ 'a'::text"),
        same("o.region ~ similar_to_escape('x'::text)"),
        same("(upper(o.region) || lower(o.region)) ~~ 'a'::text"),
        same("(o.amount + 1::numeric) * 2::numeric"),
        same("o.amount + (1 * 2)::numeric"),
        same("(o.payload -> 'a'::text) ->> 'b'::text"),
        same("date_trunc('hour'::text, o.order_date)"),
        same("'x'::text ~~ like_escape(o.region, '!'::text)"),
        same("o.region IS NULL AND o.flag OR NOT o.amount > 1::numeric"),
        same("o.amount / 2::numeric % 3::numeric"),
        same("CASE o.region WHEN 'a'::text THEN 1 ELSE 2 END"),
        same("o.amount::bigint"),
        same("(o.payload ->> 'amount'::text)::numeric"),
        same("true"),
        same("NULL::integer"),
        same("'it''s'::text"),
        same("'a\\b'::text"),
        same("'dollar'::text"),
        same("'1500'::numeric"),
        same("'00011111'::\"bit\""),
        same("o.payload #> '{a}'::text[]"),
        same("o.region || 1"),
        same("CAST(o.amount AS numeric(10,2))"),
        same("o.amount IS NOT DISTINCT FROM o.qty::numeric"),
        same("o.region IS NOT NULL"),
        same("o.amount <> ALL (ARRAY[1::numeric, 2::numeric])"),
        same("abs(o.amount)"),
        same("pg_catalog.lower(o.region)"),
        same("\"left\"(o.region, 2)"),
        same("o.region !~ 'x'::text"),
        same("o.payload -> 0"),
        same("(o.amount, o.qty)"),
        arguments("((o.amount + 1::numeric))", "o.amount + 1::numeric"),
        same("o.region~~'x'::text"),
        same("o.payload #> '{a}'::text[] IS NULL"),
        same("\"o\".region"),
        same("$$it's$$::text || o.region"),
        same("E'tab\\t'::text"),
        same("o.amount * -1"),
        same("o.order_date - '1 day'::interval"));
  }

  private static Arguments same(String sql) {
    return arguments(sql, sql);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("expressions")
  void theModelHoldsTheCanonicalText(String input, String expected) throws Exception {
    String query = "SELECT " + input + " AS c FROM orders o";
    SqlExpr e = select(query);
    assertThat(e.sql()).isEqualTo(expected);
    boolean readsO = input.contains("o.") || input.contains("\"o\".");
    assertThat(e.aliases()).isEqualTo(readsO ? Set.of("o") : Set.of());
    assertThat(e.containsAggregate()).isFalse();
    assertThat(query).contains(expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("expressions")
  void reEmittedTextPlansToItself(String input, String expected) throws Exception {
    SqlExpr e = select("SELECT " + input + " AS c FROM orders o");
    assertThat(select("SELECT " + e.sql() + " AS c FROM orders o")).isEqualTo(e);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("expressions")
  void everyClauseCutsTheSameText(String input, String expected) throws Exception {
    // pg_get_viewdef parenthesizes non-column expressions in DISTINCT ON, GROUP BY, ORDER BY.
    String p = "(" + input + ")";
    QueryBlock q =
        QueryPlanner.plan(
            "SELECT DISTINCT ON ("
                + p
                + ") "
                + input
                + " AS c FROM orders o JOIN items i ON "
                + input
                + " WHERE "
                + input
                + " GROUP BY "
                + p
                + " HAVING "
                + input
                + " ORDER BY "
                + p
                + " DESC",
            TestCatalog.INSTANCE);
    SqlExpr e = q.select().get(0).expr();
    assertThat(e.sql()).isEqualTo(expected);
    assertThat(((Distinct.On) q.distinct()).keys()).containsExactly(e);
    assertThat(((JoinNode) q.from()).condition()).isEqualTo(e);
    assertThat(q.where()).isEqualTo(e);
    assertThat(q.groupBy()).containsExactly(e);
    assertThat(q.having()).isEqualTo(e);
    assertThat(q.orderBy()).containsExactly(new OrderItem(e, true, null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("expressions")
  void postgres16SpellingGivesTheSameExpression(String input, String expected) throws Exception {
    String unqualified = input.replaceAll("\\bo\\.", "");
    SqlExpr e = select("SELECT " + unqualified + " AS c FROM orders o");
    assertThat(e).isEqualTo(select("SELECT " + input + " AS c FROM orders o"));
  }

  private static SqlExpr select(String query) throws Exception {
    List<SelectItem> items = QueryPlanner.plan(query, TestCatalog.INSTANCE).select();
    assertThat(items).hasSize(1);
    assertThat(items.get(0).outputName()).isEqualTo("c");
    return items.get(0).expr();
  }
}
