package io.pgtrickle.sql.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.sql.lex.SqlLexer;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The text JSqlParser is given. The word list in {@link ParserVariant} was found by planning
 * pg_get_viewdef output (PostgreSQL 15 and 18) in which each of the 580 PostgreSQL unreserved
 * keywords and JSqlParser keywords served as a column, column alias, table and table alias; the
 * cases below are real output too.
 */
class ParserVariantTest {

  /** The variant as the planner builds it: trailing semicolons dropped first. */
  static String variant(String sql) throws Exception {
    return CanonicalText.of(sql).parseable();
  }

  @Test
  void wordsJsqlParserReservesAreQuotedOnlyForIt() throws Exception {
    String pg15 =
        " SELECT prior.current,\n    prior.double AS xor,\n    count(*) AS final\n"
            + "   FROM kw2 prior\n     JOIN kw2 other ON other.id = prior.id\n"
            + "  WHERE prior.unbounded IS NOT NULL\n  GROUP BY prior.current, prior.double;";
    assertThat(variant(pg15))
        .isEqualTo(
            " SELECT \"prior\".\"current\",\n    \"prior\".\"double\" AS \"xor\",\n"
                + "    count(*) AS \"final\"\n   FROM kw2 \"prior\"\n"
                + "     JOIN kw2 other ON other.id = \"prior\".id\n"
                + "  WHERE \"prior\".\"unbounded\" IS NOT NULL\n"
                + "  GROUP BY \"prior\".\"current\", \"prior\".\"double\"");
    QueryBlock q = QueryPlanner.plan(pg15, TestCatalog.INSTANCE);
    assertThat(q.select())
        .containsExactly(
            new SelectItem(new SqlExpr("prior.current", Set.of("prior"), false), "current"),
            new SelectItem(new SqlExpr("prior.double", Set.of("prior"), false), "xor"),
            new SelectItem(new SqlExpr("count(*)", Set.of(), true), "final"));
    assertThat(q.tables()).extracting(TableRef::alias).containsExactly("prior", "other");
    assertThat(q.where().sql()).isEqualTo("prior.unbounded IS NOT NULL");
  }

  @Test
  void theSameWordsAsPostgresSyntaxAreLeftAlone() throws Exception {
    String pg18 =
        " SELECT current,\n    qualify::double precision AS d,\n"
            + "    (unknown = 'x'::text) IS UNKNOWN AS u,\n    set::character varying AS v\n"
            + "   FROM kw2\n  WHERE minus IS NOT NULL\n  ORDER BY current;";
    assertThat(variant(pg18))
        .isEqualTo(
            " SELECT \"current\",\n    \"qualify\"::double precision AS d,\n"
                + "    (\"unknown\" = 'x'::text) IS UNKNOWN AS u,\n"
                + "    \"set\"::character varying AS v\n   FROM kw2\n"
                + "  WHERE \"minus\" IS NOT NULL\n  ORDER BY \"current\"");
    QueryBlock q = QueryPlanner.plan(pg18, TestCatalog.INSTANCE);
    assertThat(q.select())
        .extracting(i -> i.expr().sql())
        .containsExactly(
            "kw2.current",
            "kw2.qualify::double precision",
            "(kw2.unknown = 'x'::text) IS UNKNOWN",
            "kw2.set::character varying");
    assertThat(q.where().sql()).isEqualTo("kw2.minus IS NOT NULL");
    String pg15 =
        " SELECT kw2.current,\n    kw2.qualify::double precision AS d,\n"
            + "    (kw2.unknown = 'x'::text) IS UNKNOWN AS u,\n"
            + "    kw2.set::character varying AS v\n   FROM kw2\n"
            + "  WHERE kw2.minus IS NOT NULL\n  ORDER BY kw2.current;";
    assertThat(QueryPlanner.plan(pg15, TestCatalog.INSTANCE)).isEqualTo(q);
  }

  @Test
  void functionsNamedLikeThemToo() throws Exception {
    QueryBlock q = QueryPlanner.plan("SELECT xor(t.a, t.b) AS x FROM t", TestCatalog.INSTANCE);
    assertThat(q.select().get(0))
        .isEqualTo(new SelectItem(new SqlExpr("xor(t.a, t.b)", Set.of("t"), false), "x"));
    assertThat(QueryPlanner.functionNames("SELECT xor(t.a, t.b) AS x FROM t"))
        .containsExactly("xor");
  }

  @Test
  void offsetsStillMapBack() throws Exception {
    String sql = "SELECT prior.x FROM t prior WHERE prior.x~~'a'";
    ParserVariant v = ParserVariant.of(sql, SqlLexer.tokenize(sql, false));
    int where = v.text().indexOf("WHERE");
    assertThat(v.originalOffset(where)).isEqualTo(sql.indexOf("WHERE"));
    assertThat(v.originalOffset(v.text().length())).isEqualTo(sql.length());
  }
}
