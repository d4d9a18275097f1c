package io.pgtrickle.sql.api;

import static io.pgtrickle.sql.api.Calls.call;
import static io.pgtrickle.sql.api.Calls.fail;
import static io.pgtrickle.sql.api.Calls.jdbcCall;
import static io.pgtrickle.sql.api.Calls.lit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.pgtrickle.errors.PgTrickleException;
import io.pgtrickle.sql.api.ArgValue.Parameter;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which statements are API calls, and what the recognised calls hold. */
class ApiCallRecognizerTest {

  @Nested
  class PassThrough {
    @ParameterizedTest
    @ValueSource(
        strings = {
          "SELECT 1",
          "INSERT INTO orders VALUES (1, 'create_stream_table')",
          // Without "pgtrickle" nothing is even lexed, so this lexical error is PostgreSQL's to
          // report.
          "SELECT 'unterminated",
          "SELECT * FROM pgtrickle.pgt_stream_tables",
          "SELECT pgtrickle.health_check()",
          "SELECT * FROM pgtrickle.pgt_status() WHERE name = 'create_stream_table'",
          "SELECT 'pgtrickle.create_stream_table(1)'",
          "-- SELECT pgtrickle.create_stream_table('a', 'b')\nSELECT 1",
          "SELECT 1 /* pgtrickle.drop_stream_table('x') */",
          "SELECT \"PGTRICKLE\".create_stream_table('a', 'b')",
          "SELECT pgtrickle_x.create_stream_table('a', 'b')",
          "SELECT pgtrickle.create_stream_table_x('a', 'b')",
          "SELECT pgtrickle.\"Create_stream_table\"('a', 'b')",
          "DROP FUNCTION pgtrickle.create_stream_table(text, text)",
          "COMMENT ON FUNCTION pgtrickle.drop_stream_table(text) IS 'drops'",
          "GRANT EXECUTE ON FUNCTION pgtrickle.refresh_stream_table(text) TO app",
          "ALTER ROUTINE pgtrickle.resume_stream_table(text) OWNER TO admin",
          "SELECT $$pgtrickle.create_stream_table('a', 'b')$$",
        })
    void returnsEmpty(String sql) throws Exception {
      assertThat(ApiCallRecognizer.recognize(sql, false)).isEmpty();
      assertThat(ApiCallRecognizer.recognize(sql, true)).isEmpty();
    }

    @Test
    void fastPathFindsTheSchemaNameInAnyCase() {
      assertThat(ApiCallRecognizer.mentionsSchema("select PgTrickle.x")).isTrue();
      assertThat(ApiCallRecognizer.mentionsSchema("pgtrickle")).isTrue();
      assertThat(ApiCallRecognizer.mentionsSchema("x pgtricklE")).isTrue();
      assertThat(ApiCallRecognizer.mentionsSchema("pgtrickl")).isFalse();
      assertThat(ApiCallRecognizer.mentionsSchema("pg_trickle.x")).isFalse();
      assertThat(ApiCallRecognizer.mentionsSchema("")).isFalse();
    }
  }

  @Nested
  class RealExamples {
    @Test
    void dollarQuotedQueryWithNamedOptions() throws Exception {
      String query =
          "SELECT DISTINCT ON (event_id)\n"
              + "event_id, user_id, event_type, (payload->>'amount')::numeric AS amount,"
              + " received_at\n"
              + "FROM raw_events\n"
              + "WHERE event_type IN ('purchase', 'refund', 'subscription')";
      String sql =
          "SELECT pgtrickle.create_stream_table(\n"
              + "'events_cleaned',\n"
              + "$$"
              + query
              + "$$,\n"
              + "schedule => '5s',\n"
              + "refresh_mode => 'DIFFERENTIAL'\n"
              + ");";
      ApiCall c = call(sql);
      assertThat(c.function()).isEqualTo(ApiFunction.CREATE_STREAM_TABLE);
      assertThat(c.resultColumn()).isEqualTo("create_stream_table");
      assertThat(c.arguments())
          .containsExactly(
              entry("name", lit("events_cleaned")),
              entry("query", lit(query)),
              entry("schedule", lit("5s")),
              entry("refresh_mode", lit("DIFFERENTIAL")));
    }

    @Test
    void multiLineStandardStringQuery() throws Exception {
      String sql =
          "SELECT pgtrickle.create_stream_table('daily_totals',\n"
              + "'SELECT order_date, SUM(amount) AS daily_total, COUNT(*) AS order_count\n"
              + "FROM orders GROUP BY order_date',\n"
              + "schedule => '5s', refresh_mode => 'DIFFERENTIAL');";
      assertThat(call(sql).arguments())
          .containsExactly(
              entry("name", lit("daily_totals")),
              entry(
                  "query",
                  lit(
                      "SELECT order_date, SUM(amount) AS daily_total, COUNT(*) AS order_count\n"
                          + "FROM orders GROUP BY order_date")),
              entry("schedule", lit("5s")),
              entry("refresh_mode", lit("DIFFERENTIAL")));
    }

    @Test
    void allNamedWithDoubledQuotesInTheQuery() throws Exception {
      String sql =
          "SELECT pgtrickle.create_stream_table(\n"
              + "    name         => 'hourly_summary',\n"
              + "    query        => 'SELECT date_trunc(''hour'', ts), COUNT(*) FROM events"
              + " GROUP BY 1',\n"
              + "    schedule     => '@hourly',\n"
              + "    refresh_mode => 'FULL'\n"
              + ");";
      assertThat(call(sql).arguments())
          .containsExactly(
              entry("name", lit("hourly_summary")),
              entry("query", lit("SELECT date_trunc('hour', ts), COUNT(*) FROM events GROUP BY 1")),
              entry("schedule", lit("@hourly")),
              entry("refresh_mode", lit("FULL")));
    }

    @Test
    void alterWithTier() throws Exception {
      ApiCall c = call("SELECT pgtrickle.alter_stream_table('live_metrics', tier => 'hot');");
      assertThat(c.function()).isEqualTo(ApiFunction.ALTER_STREAM_TABLE);
      assertThat(c.resultColumn()).isEqualTo("alter_stream_table");
      assertThat(c.arguments())
          .containsExactly(entry("name", lit("live_metrics")), entry("tier", lit("hot")));
    }

    @Test
    void booleanOption() throws Exception {
      ApiCall c =
          call(
              "SELECT pgtrickle.create_stream_table('pooled', 'SELECT id FROM orders',"
                  + " schedule => '5m', pooler_compatibility_mode => true);");
      assertThat(c.arguments())
          .containsExactly(
              entry("name", lit("pooled")),
              entry("query", lit("SELECT id FROM orders")),
              entry("schedule", lit("5m")),
              entry("pooler_compatibility_mode", lit(true)));
    }

    @Test
    void otherFunctions() throws Exception {
      assertThat(call("select pgtrickle.drop_stream_table('a')").function())
          .isEqualTo(ApiFunction.DROP_STREAM_TABLE);
      assertThat(call("select pgtrickle.refresh_stream_table('a')").function())
          .isEqualTo(ApiFunction.REFRESH_STREAM_TABLE);
      assertThat(call("select pgtrickle.resume_stream_table('a')").function())
          .isEqualTo(ApiFunction.RESUME_STREAM_TABLE);
      assertThat(call("select pgtrickle.create_stream_table_if_not_exists('a', 'q')").function())
          .isEqualTo(ApiFunction.CREATE_STREAM_TABLE_IF_NOT_EXISTS);
      assertThat(call("select pgtrickle.create_or_replace_stream_table('a', 'q')").function())
          .isEqualTo(ApiFunction.CREATE_OR_REPLACE_STREAM_TABLE);
    }
  }

  @Nested
  class Shapes {
    @Test
    void aliases() throws Exception {
      assertThat(call("SELECT pgtrickle.drop_stream_table('a') AS dropped").resultColumn())
          .isEqualTo("dropped");
      assertThat(call("SELECT pgtrickle.drop_stream_table('a') Dropped").resultColumn())
          .isEqualTo("dropped");
      assertThat(call("SELECT pgtrickle.drop_stream_table('a') AS \"Dropped!\"").resultColumn())
          .isEqualTo("Dropped!");
      assertThat(call("SELECT pgtrickle.drop_stream_table('a') \"X\";").resultColumn())
          .isEqualTo("X");
      // After AS even a reserved word is a valid label.
      assertThat(call("SELECT pgtrickle.drop_stream_table('a') AS from").resultColumn())
          .isEqualTo("from");
    }

    @Test
    void fromForm() throws Exception {
      assertThat(call("SELECT * FROM pgtrickle.refresh_stream_table('a')").resultColumn())
          .isEqualTo("refresh_stream_table");
      // PostgreSQL names a scalar function's column after the table alias, or the column alias.
      assertThat(call("SELECT * FROM pgtrickle.refresh_stream_table('a') AS r").resultColumn())
          .isEqualTo("r");
      assertThat(call("select * from pgtrickle.refresh_stream_table('a') r;").resultColumn())
          .isEqualTo("r");
      assertThat(
              call("SELECT * FROM pgtrickle.refresh_stream_table('a') AS r(done)").resultColumn())
          .isEqualTo("done");
    }

    @Test
    void caseQuotingCommentsAndSemicolons() throws Exception {
      ApiCall upper =
          call("SELECT PGTRICKLE.CREATE_STREAM_TABLE('A', 'SELECT 1', SCHEDULE => '1m')");
      assertThat(upper.function()).isEqualTo(ApiFunction.CREATE_STREAM_TABLE);
      assertThat(upper.resultColumn()).isEqualTo("create_stream_table");
      assertThat(upper.arguments()).containsKeys("name", "query", "schedule");

      ApiCall quoted =
          call("SELECT \"pgtrickle\".\"create_stream_table\"('a', 'b', \"schedule\" => '1m')");
      assertThat(quoted.arguments()).containsEntry("schedule", lit("1m"));

      ApiCall commented =
          call(
              "/* leading */ SELECT -- hello\n pgtrickle /* x */ . /* y */ refresh_stream_table"
                  + " ( /* a */ 'st' -- b\n ) -- trailing\n ;;  ; /* end */");
      assertThat(commented.arguments()).containsExactly(entry("name", lit("st")));
    }

    @Test
    void colonEqualsNamedNotation() throws Exception {
      assertThat(
              call("SELECT pgtrickle.alter_stream_table(name := 'a', status := 'ACTIVE')")
                  .arguments())
          .containsExactly(entry("name", lit("a")), entry("status", lit("ACTIVE")));
    }

    @Test
    void argumentsAreKeptInDeclarationOrder() throws Exception {
      ApiCall c =
          call(
              "SELECT pgtrickle.create_stream_table(refresh_mode => 'FULL', query => 'q', name =>"
                  + " 'n', initialize => false)");
      assertThat(c.arguments().keySet())
          .containsExactly("name", "query", "refresh_mode", "initialize");
    }

    @Test
    void stringFlavors() throws Exception {
      ApiCall c =
          call(
              "SELECT pgtrickle.create_stream_table(E'a\\tb', $q$ SELECT '$$' || x FROM t; $q$,"
                  + " U&'\\0035s', N'FULL')");
      assertThat(c.arguments())
          .containsExactly(
              entry("name", lit("a\tb")),
              entry("query", lit(" SELECT '$$' || x FROM t; ")),
              entry("schedule", lit("5s")),
              entry("refresh_mode", lit("FULL")));
    }

    @Test
    void nullArguments() throws Exception {
      assertThat(
              call("SELECT pgtrickle.alter_stream_table('a', NULL, schedule => null)").arguments())
          .containsExactly(
              entry("name", lit("a")), entry("query", lit(null)), entry("schedule", lit(null)));
    }

    @Test
    void theCallIsImmutable() throws Exception {
      ApiCall c = call("SELECT pgtrickle.drop_stream_table('a')");
      assertThatThrownBy(() -> c.arguments().put("x", lit("y")))
          .isInstanceOf(UnsupportedOperationException.class);
    }
  }

  @Nested
  class Parameters {
    @Test
    void jdbcPlaceholders() throws Exception {
      ApiCall c =
          jdbcCall("SELECT pgtrickle.create_stream_table(?, ?, schedule => ?, append_only => ?)");
      assertThat(c.arguments())
          .containsExactly(
              entry("name", new Parameter(1)),
              entry("query", new Parameter(2)),
              entry("schedule", new Parameter(3)),
              entry("append_only", new Parameter(4)));
      assertThat(c.maxParameterIndex()).isEqualTo(4);
    }

    @Test
    void questionMarksInsideStringsAreNotPlaceholders() throws Exception {
      ApiCall c =
          jdbcCall(
              "SELECT pgtrickle.create_stream_table(?, $$SELECT * FROM docs WHERE body ? 'k' AND"
                  + " tags ?| ARRAY['a']$$, schedule => ?) -- why?");
      assertThat(c.arguments())
          .containsExactly(
              entry("name", new Parameter(1)),
              entry("query", lit("SELECT * FROM docs WHERE body ? 'k' AND tags ?| ARRAY['a']")),
              entry("schedule", new Parameter(2)));
    }

    @Test
    void dollarParametersWithCasts() throws Exception {
      ApiCall c =
          call(
              "SELECT pgtrickle.create_stream_table($2::text, $1::TEXT, initialize =>"
                  + " $3::boolean)");
      assertThat(c.arguments())
          .containsExactly(
              entry("name", new Parameter(2)),
              entry("query", new Parameter(1)),
              entry("initialize", new Parameter(3)));
      assertThat(c.maxParameterIndex()).isEqualTo(3);
      assertThat(call("SELECT pgtrickle.drop_stream_table('x')").maxParameterIndex()).isZero();
    }

    @Test
    void jdbcPlaceholderWithCast() throws Exception {
      assertThat(jdbcCall("SELECT pgtrickle.drop_stream_table(?::text)").arguments())
          .containsExactly(entry("name", new Parameter(1)));
    }

    @Test
    void parenthesisedValuesAsPgjdbcSimpleModeInlinesThem() throws Exception {
      ApiCall c =
          call(
              "SELECT pgtrickle.create_stream_table(('t'), ('SELECT 1'::varchar),"
                  + " refresh_mode => (('FULL')), initialize => ('FALSE'::boolean))");
      assertThat(c.arguments())
          .containsExactly(
              entry("name", lit("t")),
              entry("query", lit("SELECT 1")),
              entry("refresh_mode", lit("FULL")),
              entry("initialize", lit(false)));
    }

    @Test
    void anUnclosedOrNonLiteralParenthesisIsStillRefused() {
      assertThat(fail("SELECT pgtrickle.drop_stream_table(('a' || 'b'))").getSQLState())
          .isEqualTo("0A000");
      assertThat(fail("SELECT pgtrickle.drop_stream_table((select 'a'))").getSQLState())
          .isEqualTo("0A000");
    }

    @Test
    void parameterZeroDoesNotExist() {
      PgTrickleException e = fail("SELECT pgtrickle.drop_stream_table($0)");
      assertThat(e.getSQLState()).isEqualTo("22023");
      assertThat(e.getMessage()).isEqualTo("there is no parameter $0");
    }
  }
}
