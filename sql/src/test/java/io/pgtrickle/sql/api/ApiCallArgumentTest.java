package io.pgtrickle.sql.api;

import static io.pgtrickle.sql.api.Calls.call;
import static io.pgtrickle.sql.api.Calls.fail;
import static io.pgtrickle.sql.api.Calls.lit;
import static io.pgtrickle.sql.api.Calls.pos;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.pgtrickle.errors.PgTrickleException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** How argument values, casts and booleans are read, and which arguments are refused. */
class ApiCallArgumentTest {

  @Nested
  class Casts {
    @Test
    void castsToTextAndBooleanAreApplied() throws Exception {
      ApiCall c =
          call(
              "SELECT pgtrickle.create_stream_table('a'::text, CAST('q' AS varchar), '5m'::"
                  + "pg_catalog.text, 'FULL'::character varying, 't'::boolean, NULL::text,"
                  + " NULL::text, NULL, 'yes'::bool::boolean, CAST(0 AS boolean))");
      assertThat(c.arguments())
          .containsExactly(
              entry("name", lit("a")),
              entry("query", lit("q")),
              entry("schedule", lit("5m")),
              entry("refresh_mode", lit("FULL")),
              entry("initialize", lit(true)),
              entry("diamond_consistency", lit(null)),
              entry("diamond_schedule_policy", lit(null)),
              entry("cdc_mode", lit(null)),
              entry("append_only", lit(true)),
              entry("pooler_compatibility_mode", lit(false)));
    }

    @Test
    void constantsCastToTextTakeTheirTextForm() throws Exception {
      assertThat(
              call("SELECT pgtrickle.alter_stream_table('a', schedule => 300::text, tier =>"
                      + " true::text, status => 1_000.50e1::text)")
                  .arguments())
          .containsExactly(
              entry("name", lit("a")),
              entry("schedule", lit("300")),
              entry("status", lit("10005.0")),
              entry("tier", lit("true")));
      assertThat(
              call("SELECT pgtrickle.alter_stream_table('a', schedule => -0x1F::text)").arguments())
          .containsEntry("schedule", lit("-31"));
    }

    @Test
    void aBadBooleanInACastIsAnInputError() {
      String sql = "SELECT pgtrickle.alter_stream_table('a', append_only => 'maybe'::boolean)";
      PgTrickleException e = fail(sql);
      assertThat(e.getSQLState()).isEqualTo("22023");
      assertThat(e.getMessage()).isEqualTo("invalid input syntax for type boolean: \"maybe\"");
      assertThat(e.position()).isEqualTo(pos(sql, "::boolean"));
    }

    @Test
    void castsToPaddedOrTruncatingTypesAreNotSupported() {
      for (String cast : new String[] {"char(5)", "character", "bpchar", "name", "varchar(3)"}) {
        PgTrickleException e = fail("SELECT pgtrickle.drop_stream_table('abc'::" + cast + ")");
        assertThat(e.getSQLState()).as(cast).isEqualTo("0A000");
        assertThat(e.getMessage()).contains("casts to").contains("pgtrickle.drop_stream_table");
      }
    }

    @Test
    void castsThroughOtherTypesAreNotSupported() {
      PgTrickleException e = fail("SELECT pgtrickle.drop_stream_table('05'::int::text)");
      assertThat(e.getSQLState()).isEqualTo("0A000");
      assertThat(e.getMessage()).startsWith("casts from integer are not supported");
    }

    @Test
    void castsToOtherTypesDoNotMatch() {
      String sql =
          "SELECT pgtrickle.create_stream_table('a', 'q', schedule => '5 minutes'::interval)";
      PgTrickleException e = fail(sql);
      assertThat(e.getSQLState()).isEqualTo("42883");
      assertThat(e.getMessage())
          .isEqualTo(
              "function pgtrickle.create_stream_table(unknown, unknown, schedule => interval)"
                  + " does not exist");
      assertThat(e.hint())
          .contains("\"schedule\" has type text but the argument has type interval");
      assertThat(e.position()).isEqualTo(pos(sql, "'5 minutes'"));

      assertThat(fail("SELECT pgtrickle.drop_stream_table($1::int4)").getMessage())
          .isEqualTo("function pgtrickle.drop_stream_table(integer) does not exist");
      assertThat(fail("SELECT pgtrickle.drop_stream_table('a'::text[])").getMessage())
          .isEqualTo("function pgtrickle.drop_stream_table(text[]) does not exist");
      assertThat(fail("SELECT pgtrickle.drop_stream_table('a'::myschema.text)").getMessage())
          .isEqualTo("function pgtrickle.drop_stream_table(myschema.text) does not exist");
      assertThat(fail("SELECT pgtrickle.drop_stream_table(2.5::boolean)").getMessage())
          .isEqualTo("cannot cast type numeric to boolean");
    }

    @Test
    void typedArgumentsMustMatchTheParameterType() {
      assertThat(fail("SELECT pgtrickle.drop_stream_table('t'::boolean)").getMessage())
          .isEqualTo("function pgtrickle.drop_stream_table(boolean) does not exist");
      assertThat(
              fail("SELECT pgtrickle.alter_stream_table('a', append_only => 'true'::text)")
                  .getMessage())
          .isEqualTo(
              "function pgtrickle.alter_stream_table(unknown, append_only => text) does not exist");
      assertThat(
              fail("SELECT pgtrickle.alter_stream_table('a', append_only => $1::text)")
                  .getSQLState())
          .isEqualTo("42883");
    }
  }

  @Nested
  class Booleans {
    @Test
    void stringLiteralsAreCoercedForBooleanParameters() throws Exception {
      ApiCall c =
          call(
              "SELECT pgtrickle.create_stream_table('a', 'q', initialize => 'off', append_only =>"
                  + " ' YES ', pooler_compatibility_mode => E'1')");
      assertThat(c.arguments())
          .containsEntry("initialize", lit(false))
          .containsEntry("append_only", lit(true))
          .containsEntry("pooler_compatibility_mode", lit(true));
    }

    @Test
    void keywords() throws Exception {
      assertThat(call("SELECT pgtrickle.alter_stream_table('a', append_only => FALSE)").arguments())
          .containsEntry("append_only", lit(false));
    }

    @Test
    void invalidBooleanLiteral() {
      String sql = "SELECT pgtrickle.create_stream_table('a', 'q', append_only => 'maybe')";
      PgTrickleException e = fail(sql);
      assertThat(e.getSQLState()).isEqualTo("22023");
      assertThat(e.getMessage())
          .startsWith("invalid input syntax for type boolean: \"maybe\"")
          .contains("append_only")
          .contains("pgtrickle.create_stream_table");
      assertThat(e.position()).isEqualTo(pos(sql, "'maybe'"));
    }

    @Test
    void numbersDoNotMatchBooleanParameters() {
      PgTrickleException e = fail("SELECT pgtrickle.alter_stream_table('a', append_only => 1)");
      assertThat(e.getSQLState()).isEqualTo("42883");
      assertThat(e.getMessage())
          .isEqualTo(
              "function pgtrickle.alter_stream_table(unknown, append_only => integer) does not"
                  + " exist");
    }
  }

  @Nested
  class NotLiterals {
    @ParameterizedTest
    @ValueSource(
        strings = {
          "'a' || 'b'",
          "upper('x')",
          "pgt_name",
          "t.pgt_name",
          "(SELECT 'x')",
          "ARRAY['a']",
          "-x",
          "now()::text",
          "current_user",
          "B'101'",
          "text 'x'",
          "'a' 'b'",
          "CAST('a' AS text) || 'x'",
          "CAST('a' text)",
          "'x' COLLATE \"C\"",
          "DEFAULT",
        })
    void expressionsAreRefused(String arg) {
      String sql = "SELECT pgtrickle.drop_stream_table(" + arg + ")";
      PgTrickleException e = fail(sql);
      assertThat(e.getSQLState()).as(arg).isEqualTo("0A000");
      assertThat(e.getMessage())
          .isEqualTo("arguments of pgtrickle.drop_stream_table must be literals or parameters");
      assertThat(e.hint()).contains("SELECT pgtrickle.drop_stream_table(...)");
      // Errors point at the start of the argument, just after the call's parenthesis.
      assertThat(e.position()).as(arg).isEqualTo(sql.indexOf('(') + 2);
    }

    @Test
    void positionPointsAtTheOffendingArgument() {
      String sql = "SELECT pgtrickle.create_stream_table('a', query => 'x' || y)";
      assertThat(fail(sql).position()).isEqualTo(pos(sql, "'x'"));
    }
  }
}
