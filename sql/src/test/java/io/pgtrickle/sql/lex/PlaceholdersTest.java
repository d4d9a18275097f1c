package io.pgtrickle.sql.lex;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PlaceholdersTest {
  @Test
  void numbersMarkersInOrder() throws Exception {
    assertThat(Placeholders.toNumbered("SELECT ?, f(?::int) WHERE a = ?"))
        .isEqualTo("SELECT $1, f($2::int) WHERE a = $3");
  }

  @Test
  void leavesQuotedCommentedAndOperatorMarksAlone() throws Exception {
    assertThat(
            Placeholders.toNumbered(
                "SELECT '?', \"?\", $$?$$, j ??| array['a'], j ?? 'k' /* ? */, ? -- ?\n"))
        .isEqualTo("SELECT '?', \"?\", $$?$$, j ??| array['a'], j ?? 'k' /* ? */, $1 -- ?\n");
  }

  @Test
  void textWithoutMarkersIsReturnedAsIs() throws Exception {
    String sql = "SELECT 1";
    assertThat(Placeholders.toNumbered(sql)).isSameAs(sql);
  }

  @Test
  void maxNumberedFindsTheHighestParameter() {
    assertThat(Placeholders.maxNumbered("SELECT $2, $10, '$11', $$ $12 $$")).isEqualTo(10);
    assertThat(Placeholders.maxNumbered("SELECT 1")).isZero();
    assertThat(Placeholders.maxNumbered("SELECT 'unterminated $3")).isZero();
  }
}
