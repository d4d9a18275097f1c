package io.pgtrickle.sql.api;

import static io.pgtrickle.sql.api.Calls.fail;
import static io.pgtrickle.sql.api.Calls.pos;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.errors.PgTrickleException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The errors for calls that match no signature, come in the wrong shape or do not parse. */
class ApiCallErrorTest {

  @Nested
  class BindingErrors {
    @Test
    void unknownParameterName() {
      String sql = "SELECT pgtrickle.create_stream_table('a', 'q', bogus => 'x')";
      PgTrickleException e = fail(sql);
      assertThat(e.getSQLState()).isEqualTo("42883");
      assertThat(e.getMessage())
          .isEqualTo("pgtrickle.create_stream_table has no parameter named \"bogus\"");
      assertThat(e.hint())
          .isEqualTo(
              "Valid parameter names are: name, query, schedule, refresh_mode, initialize,"
                  + " diamond_consistency, diamond_schedule_policy, cdc_mode, append_only,"
                  + " pooler_compatibility_mode.");
      assertThat(e.position()).isEqualTo(pos(sql, "bogus"));
    }

    @Test
    void tierIsOnlyAParameterOfAlter() {
      assertThat(fail("SELECT pgtrickle.create_stream_table('a', 'q', tier => 'hot')").getMessage())
          .isEqualTo("pgtrickle.create_stream_table has no parameter named \"tier\"");
    }

    @Test
    void quotedParameterNamesKeepTheirCase() {
      assertThat(fail("SELECT pgtrickle.drop_stream_table(\"Name\" => 'a')").getMessage())
          .isEqualTo("pgtrickle.drop_stream_table has no parameter named \"Name\"");
    }

    @Test
    void nameUsedTwice() {
      String sql = "SELECT pgtrickle.alter_stream_table('a', tier => 'hot', TIER => 'cold')";
      PgTrickleException e = fail(sql);
      assertThat(e.getSQLState()).isEqualTo("42601");
      assertThat(e.getMessage()).isEqualTo("argument name \"tier\" used more than once");
      assertThat(e.position()).isEqualTo(pos(sql, "TIER"));
    }

    @Test
    void parameterGivenByPositionAndByName() {
      String sql = "SELECT pgtrickle.create_stream_table('a', 'q', name => 'b')";
      PgTrickleException e = fail(sql);
      assertThat(e.getSQLState()).isEqualTo("42601");
      assertThat(e.getMessage())
          .isEqualTo(
              "parameter \"name\" of pgtrickle.create_stream_table is given both by position and"
                  + " by name");
      assertThat(e.position()).isEqualTo(pos(sql, "name =>"));
    }

    @Test
    void positionalAfterNamed() {
      String sql = "SELECT pgtrickle.create_stream_table(name => 'a', 'q')";
      PgTrickleException e = fail(sql);
      assertThat(e.getSQLState()).isEqualTo("42601");
      assertThat(e.getMessage()).isEqualTo("positional argument cannot follow named argument");
      assertThat(e.position()).isEqualTo(pos(sql, "'q'"));
    }

    @Test
    void tooManyPositionalArguments() {
      String sql = "SELECT pgtrickle.refresh_stream_table('a', 'b')";
      PgTrickleException e = fail(sql);
      assertThat(e.getSQLState()).isEqualTo("42883");
      assertThat(e.getMessage())
          .isEqualTo("function pgtrickle.refresh_stream_table(unknown, unknown) does not exist");
      assertThat(e.hint())
          .isEqualTo("pgtrickle.refresh_stream_table takes at most 1 arguments: name.");
      assertThat(e.position()).isEqualTo(pos(sql, "refresh_stream_table"));
    }

    @Test
    void missingRequiredParameter() {
      String sql = "SELECT pgtrickle.create_stream_table('a', schedule => '1m')";
      PgTrickleException e = fail(sql);
      assertThat(e.getSQLState()).isEqualTo("42883");
      assertThat(e.getMessage())
          .isEqualTo(
              "function pgtrickle.create_stream_table(unknown, schedule => unknown) does not"
                  + " exist");
      assertThat(e.hint()).contains("requires parameter \"query\"");
      assertThat(e.position()).isEqualTo(pos(sql, "create_stream_table"));

      assertThat(fail("SELECT pgtrickle.drop_stream_table()").getMessage())
          .isEqualTo("function pgtrickle.drop_stream_table() does not exist");
    }

    @Test
    void numericLiteralForATextParameter() {
      String sql = "SELECT pgtrickle.create_stream_table('a', 42)";
      PgTrickleException e = fail(sql);
      assertThat(e.getSQLState()).isEqualTo("42883");
      assertThat(e.getMessage())
          .isEqualTo("function pgtrickle.create_stream_table(unknown, integer) does not exist");
      assertThat(e.position()).isEqualTo(pos(sql, "42"));
      assertThat(fail("SELECT pgtrickle.drop_stream_table(-1.5)").getMessage())
          .isEqualTo("function pgtrickle.drop_stream_table(numeric) does not exist");
      assertThat(fail("SELECT pgtrickle.drop_stream_table(10000000000)").getMessage())
          .isEqualTo("function pgtrickle.drop_stream_table(bigint) does not exist");
    }

    @Test
    void booleanForATextParameter() {
      assertThat(fail("SELECT pgtrickle.drop_stream_table(true)").getMessage())
          .isEqualTo("function pgtrickle.drop_stream_table(boolean) does not exist");
    }
  }

  @Nested
  class OtherShapes {
    @ParameterizedTest
    @ValueSource(
        strings = {
          "SELECT pgtrickle.refresh_stream_table(pgt_name) FROM pgtrickle.pgt_stream_tables",
          "SELECT 1, pgtrickle.refresh_stream_table('x')",
          "SELECT pgtrickle.refresh_stream_table('x'), 1",
          "WITH x AS (SELECT pgtrickle.refresh_stream_table('a')) SELECT * FROM x",
          "SELECT pgtrickle.refresh_stream_table('a'); SELECT 1",
          "SELECT 1; SELECT pgtrickle.refresh_stream_table('a')",
          "BEGIN; SELECT pgtrickle.refresh_stream_table('a'); COMMIT",
          "EXPLAIN SELECT pgtrickle.refresh_stream_table('a')",
          "CALL pgtrickle.refresh_stream_table('a')",
          "PREPARE p AS SELECT pgtrickle.refresh_stream_table($1)",
          "SELECT pgtrickle.refresh_stream_table('a') FROM t",
          "SELECT pgtrickle.refresh_stream_table('a') WHERE true",
          "SELECT pgtrickle.refresh_stream_table('a') AS",
          "SELECT pgtrickle.refresh_stream_table('a') AS x y",
          "SELECT pgtrickle.refresh_stream_table('a') x(y)",
          "SELECT pgtrickle.refresh_stream_table",
          "SELECT (pgtrickle.refresh_stream_table('a'))",
          "SELECT ALL pgtrickle.refresh_stream_table('a')",
          "SELECT db.pgtrickle.refresh_stream_table('a')",
          "SELECT * FROM pgtrickle.refresh_stream_table('a') r(x, y)",
          "SELECT * FROM pgtrickle.refresh_stream_table('a'), t",
          "INSERT INTO log SELECT pgtrickle.refresh_stream_table('a')",
          "{call pgtrickle.refresh_stream_table('a')}",
        })
    void refusedWithAHintToSendAStandaloneSelect(String sql) {
      PgTrickleException e = fail(sql);
      assertThat(e.getSQLState()).as(sql).isEqualTo("0A000");
      assertThat(e.getMessage()).as(sql).contains("pgtrickle.refresh_stream_table");
      assertThat(e.hint())
          .as(sql)
          .contains("SELECT pgtrickle.refresh_stream_table(...) as a statement of its own");
      if (!sql.contains("pgt_name") && !sql.startsWith("INSERT")) {
        assertThat(e.position()).as(sql).isEqualTo(pos(sql, "pgtrickle"));
      }
    }

    @Test
    void multipleStatementsAreNamedAsTheCause() {
      String sql = "SELECT 1; SELECT pgtrickle.refresh_stream_table('a')";
      PgTrickleException e = fail(sql);
      assertThat(e.getMessage())
          .isEqualTo(
              "pgtrickle.refresh_stream_table cannot be combined with other statements in one"
                  + " query string");
      assertThat(e.position()).isEqualTo(pos(sql, "pgtrickle"));
    }

    @Test
    void jdbcEscapeSyntaxIsRefusedNotMisread() {
      PgTrickleException e = fail("{call pgtrickle.refresh_stream_table(?)}", true);
      assertThat(e.getSQLState()).isEqualTo("0A000");
    }
  }

  @Nested
  class SyntaxErrors {
    @Test
    void emptyArguments() {
      String trailing = "SELECT pgtrickle.drop_stream_table('a',)";
      PgTrickleException e = fail(trailing);
      assertThat(e.getSQLState()).isEqualTo("42601");
      assertThat(e.getMessage()).isEqualTo("syntax error at or near \")\"");
      assertThat(e.position()).isEqualTo(trailing.length());

      String leading = "SELECT pgtrickle.drop_stream_table(, 'a')";
      assertThat(fail(leading).getMessage()).isEqualTo("syntax error at or near \",\"");
      assertThat(fail(leading).position()).isEqualTo(pos(leading, ","));

      assertThat(fail("SELECT pgtrickle.drop_stream_table(name => )").getMessage())
          .isEqualTo("syntax error at or near \")\"");
      assertThat(fail("SELECT pgtrickle.drop_stream_table('a'::)").getMessage())
          .isEqualTo("syntax error at or near \")\"");
    }

    @Test
    void unbalancedParentheses() {
      PgTrickleException e = fail("SELECT pgtrickle.drop_stream_table('a'");
      assertThat(e.getSQLState()).isEqualTo("42601");
      assertThat(e.getMessage()).isEqualTo("syntax error at end of input");
    }

    @Test
    void lexicalErrorsPropagate() {
      String sql = "SELECT pgtrickle.drop_stream_table('a)";
      PgTrickleException e = fail(sql);
      assertThat(e.getSQLState()).isEqualTo("42601");
      assertThat(e.getMessage()).isEqualTo("unterminated quoted string at or near \"'a)\"");
      assertThat(e.position()).isEqualTo(pos(sql, "'a)"));
    }
  }
}
