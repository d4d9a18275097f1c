package io.pgtrickle.sql.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.pgtrickle.errors.PgTrickleException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link QueryPlanner#functionNames}: complete, decoded, and a superset of what plan() asks. */
class FunctionNamesTest {

  static Set<String> names(String sql) throws PgTrickleException {
    return QueryPlanner.functionNames(sql);
  }

  @Test
  void callsAreListedOnceSortedAndLowerCase() throws Exception {
    assertThat(
            names(
                "SELECT c.id, COUNT(o.id) AS n, COALESCE(Sum(o.amount), 0::numeric) AS s,"
                    + " date_trunc('day'::text, max(o.ts)) AS d FROM c JOIN o ON o.c = c.id"
                    + " GROUP BY c.id"))
        .containsExactly("count", "date_trunc", "max", "sum");
  }

  @Test
  void sqlConstructsThatLookLikeCallsAreNotListed() throws Exception {
    assertThat(
            names(
                "SELECT COALESCE(t.a, 0) AS a, NULLIF(t.b, 1) AS b, GREATEST(1, 2) AS g,"
                    + " LEAST(1, 2) AS l, ROW(1, 2) IS NULL AS r, ARRAY[1] AS arr FROM t"
                    + " WHERE t.c = ANY (ARRAY['x'::text]) AND t.d <> ALL (ARRAY[1, 2])"))
        .isEmpty();
  }

  @Test
  void specialSyntaxCallsAreListed() throws Exception {
    assertThat(
            names(
                "SELECT SUBSTRING(t.a FROM 1 FOR 2) AS s, POSITION(('a'::text) IN (t.a)) AS p,"
                    + " t.b ~~ like_escape(t.a, '!'::text) AS l FROM t"))
        .containsExactly("like_escape", "position", "substring");
  }

  @Test
  void namesAreDecodedAndKeepTheirSchema() throws Exception {
    assertThat(
            names(
                "SELECT pg_catalog.lower(t.a) AS l, \"MixedCase\"(t.a) AS m, \"left\"(t.a, 1) AS x,"
                    + " public.f(t.a) AS f FROM t"))
        .containsExactly("MixedCase", "left", "pg_catalog.lower", "public.f");
  }

  @Test
  void callsInsideUnsupportedConstructsAreListedToo() throws Exception {
    assertThat(
            names(
                "WITH x AS ( SELECT lower(a.b) AS c FROM a ) SELECT upper(x.c) AS u,"
                    + " rank() OVER (ORDER BY x.c) AS r, sum(x.n) FILTER (WHERE x.n > 0) AS s"
                    + " FROM x, generate_series(1, 2) g(i)"
                    + " WHERE EXISTS ( SELECT random() AS random)"))
        .containsExactly("generate_series", "lower", "random", "rank", "sum", "upper");
  }

  @Test
  void groupingConstructsAreNotCallsButParenthesizedCallsAre() throws Exception {
    assertThat(names("SELECT t.a FROM t GROUP BY ROLLUP(t.a, t.b)")).isEmpty();
    assertThat(names("SELECT cube(t.a) AS c FROM t GROUP BY (cube(t.a))")).containsExactly("cube");
  }

  @Test
  void unreadableTextFailsLikePlan() {
    Throwable t = catchThrowable(() -> names("SELECT t.a FROM t WHERE OPERATOR(pg_catalog.~~)"));
    assertThat(t).isInstanceOf(PgTrickleException.class);
    assertThat(((PgTrickleException) t).getSQLState()).isEqualTo("0A000");
  }

  static Stream<String> queries() throws Exception {
    List<String> all = new ArrayList<>();
    QueryPlannerGoldenTest.cases().forEach(c -> all.add(c.sql()));
    QueryPlannerUnsupportedTest.constructs().forEach(a -> all.add((String) a.get()[0]));
    return all.stream();
  }

  /** The engine classifies exactly this list; plan() must never ask about anything else. */
  @ParameterizedTest
  @MethodSource("queries")
  void planOnlyAsksAboutListedNames(String sql) throws Exception {
    Set<String> listed = names(sql);
    List<String> asked = new ArrayList<>();
    FunctionCatalog recording =
        name -> {
          asked.add(name);
          return TestCatalog.INSTANCE.kind(name);
        };
    catchThrowable(() -> QueryPlanner.plan(sql, recording));
    assertThat(listed).containsAll(asked);
  }
}
