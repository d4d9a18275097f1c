package io.pgtrickle.sql.lex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StatementsTest {

  @Nested
  class Split {
    @Test
    void splitsOnTopLevelSemicolonsAndTrimsBlanks() {
      assertThat(Statements.split("SELECT 1;  SELECT 2 ;\n\tSELECT 3"))
          .containsExactly("SELECT 1", "SELECT 2", "SELECT 3");
    }

    @Test
    void dropsEmptyAndCommentOnlyStatements() {
      assertThat(Statements.split(";; SELECT 1;;  ; -- bye\n")).containsExactly("SELECT 1");
      assertThat(Statements.split("")).isEmpty();
      assertThat(Statements.split("  /* nothing */ ; -- here")).isEmpty();
    }

    @Test
    void keepsCommentsAroundStatementsBecauseTheyMayBeHints() {
      assertThat(Statements.split("/*+ SeqScan(t) */ SELECT * FROM t; SELECT 2 -- two"))
          .containsExactly("/*+ SeqScan(t) */ SELECT * FROM t", "SELECT 2 -- two");
    }

    @Test
    void ignoresSemicolonsInsideQuotesCommentsAndParentheses() {
      String sql =
          "SELECT ';', \"a;b\", $$;$$, $q$ $$; $q$, E'\\';', /* ; /* ; */ ; */ 1 -- ;\n"
              + ", (SELECT 1; 2), U&'\\003B;', B'1;'; SELECT 2";
      assertThat(Statements.split(sql)).hasSize(2).last().isEqualTo("SELECT 2");
    }

    @Test
    void continuationLinesKeepEscapeStringMode() {
      assertThat(Statements.split("SELECT E'a'\n'\\';'; SELECT 2"))
          .containsExactly("SELECT E'a'\n'\\';'", "SELECT 2");
    }

    @Test
    void keepsSqlStandardFunctionBodiesTogether() {
      String create =
          "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql\n"
              + "BEGIN ATOMIC\n  SELECT CASE WHEN true THEN 1 END;\n  SELECT 2;\nEND";
      assertThat(Statements.split(create + "; SELECT 3")).containsExactly(create, "SELECT 3");
      String proc = "create procedure p() begin atomic insert into t values (1); end";
      assertThat(Statements.split(proc + ";select 1")).containsExactly(proc, "select 1");
    }

    @Test
    void beginOutsideFunctionDefinitionsIsATransaction() {
      assertThat(Statements.split("BEGIN; SELECT 1; END;"))
          .containsExactly("BEGIN", "SELECT 1", "END");
    }

    @Test
    void unterminatedConstructsRunToTheEndWithoutThrowing() {
      assertThat(Statements.split("SELECT 1; SELECT 'abc; SELECT 2"))
          .containsExactly("SELECT 1", "SELECT 'abc; SELECT 2");
      assertThat(Statements.split("SELECT 1; /* x; y")).containsExactly("SELECT 1");
      assertThat(Statements.split("SELECT $$x; y")).containsExactly("SELECT $$x; y");
      assertThat(Statements.split("SELECT E'x\\")).containsExactly("SELECT E'x\\");
      assertThat(Statements.split("SELECT (1; 2")).containsExactly("SELECT (1; 2");
    }

    @Test
    void spansPointIntoTheOriginalText() {
      String sql = "  SELECT 1 ;\nSELECT 2";
      assertThat(Statements.spans(sql))
          .containsExactly(new Statements.Span(2, 10), new Statements.Span(13, 21));
      assertThat(Statements.spans(sql).get(1).text(sql)).isEqualTo("SELECT 2");
      assertThatThrownBy(() -> new Statements.Span(3, 1))
          .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theResultIsImmutable() {
      assertThatThrownBy(() -> Statements.split("SELECT 1").add("x"))
          .isInstanceOf(UnsupportedOperationException.class);
    }
  }

  @Nested
  class FirstKeyword {
    @Test
    void readsTheFirstWord() {
      assertThat(Statements.firstKeyword("SELECT 1")).isEqualTo("select");
      assertThat(Statements.firstKeyword("  \n\tselect 1")).isEqualTo("select");
      assertThat(Statements.firstKeyword("-- comment\nInsert INTO t VALUES (1)"))
          .isEqualTo("insert");
      assertThat(Statements.firstKeyword("/* a /* nested */ b */ update t SET x = 1"))
          .isEqualTo("update");
      assertThat(Statements.firstKeyword("((SELECT 1) UNION (SELECT 2))")).isEqualTo("select");
      assertThat(Statements.firstKeyword("WITH x AS (SELECT 1) SELECT * FROM x")).isEqualTo("with");
      assertThat(Statements.firstKeyword("VACUUM ANALYZE t")).isEqualTo("vacuum");
      assertThat(Statements.firstKeyword("Reindex TABLE t")).isEqualTo("reindex");
      assertThat(Statements.firstKeyword("select1")).isEqualTo("select1");
      assertThat(Statements.firstKeyword("SET$x")).isEqualTo("set$x");
      assertThat(Statements.firstKeyword("select(1)")).isEqualTo("select");
      assertThat(Statements.firstKeyword("select/*c*/1")).isEqualTo("select");
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "",
          "   ",
          "-- only a comment",
          "/* unterminated",
          "'string'",
          "1",
          "\"quoted\"",
          "_x",
          "; SELECT 1",
          "\u00e9t\u00e9"
        })
    void returnsEmptyWithoutALeadingWord(String sql) {
      assertThat(Statements.firstKeyword(sql)).isEmpty();
    }

    @Test
    void commonKeywordsAreReturnedWithoutAllocating() {
      // String literals are interned, so the constant table's instance is this very one.
      assertThat(Statements.firstKeyword("SELECT 1")).isSameAs("select");
      assertThat(Statements.firstKeyword("begin")).isSameAs("begin");
    }

    @Test
    void onlyAsciiLettersMatchKeywords() {
      // U+017F LATIN SMALL LETTER LONG S upper-cases to 'S' but must not read as "select".
      assertThat(Statements.firstKeyword("\u017Felect 1")).isEmpty();
      assertThat(Statements.firstKeyword("selec\u017F 1")).isEqualTo("selec\u017F");
    }
  }
}
