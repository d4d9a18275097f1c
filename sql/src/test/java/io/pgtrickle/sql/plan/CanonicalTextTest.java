package io.pgtrickle.sql.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The text layer: the LIKE spelling JSqlParser reads, the offset map back, token spans. */
class CanonicalTextTest {

  @Test
  void likeOperatorsAreSpelledOutForJsqlParserOnly() throws Exception {
    String sql = "SELECT t.a FROM t WHERE t.a ~~ 'x' AND t.a!~~*'y' OR t.a ~~* 'z' AND t.a !~~ 'w'";
    CanonicalText text = CanonicalText.of(sql);
    assertThat(text.parseable())
        .isEqualTo(
            "SELECT t.a FROM t WHERE t.a  LIKE  'x' AND t.a NOT ILIKE 'y' OR t.a  ILIKE  'z'"
                + " AND t.a  NOT LIKE  'w'");
    assertThat(text.original()).isEqualTo(sql);
    assertThat(text.render(text.whole(), Map.of())).isEqualTo(sql);
  }

  @Test
  void offsetsMapBackAcrossRewrites() throws Exception {
    String sql = "SELECT t.a FROM t WHERE t.a!~~*'y' AND t.b = 1";
    CanonicalText text = CanonicalText.of(sql);
    int inVariant = text.parseable().indexOf("'y'");
    assertThat(text.originalOffset(inVariant)).isEqualTo(sql.indexOf("'y'"));
    int b = text.parseable().indexOf("t.b");
    assertThat(text.originalOffset(b)).isEqualTo(sql.indexOf("t.b"));
    assertThat(text.originalOffset(text.parseable().length())).isEqualTo(sql.length());
  }

  @Test
  void trailingSemicolonsAreDropped() throws Exception {
    CanonicalText text = CanonicalText.of(" SELECT t.a FROM t; ;\n");
    assertThat(text.parseable()).isEqualTo(" SELECT t.a FROM t");
    assertThat(text.size()).isEqualTo(6);
  }

  @Test
  void stripParensKeepsRowConstructorsAndPartialParens() throws Exception {
    CanonicalText text = CanonicalText.of("((a + 1)) (b, c) (d)::int (e) + (f)");
    assertThat(text.render(text.stripParens(new Span(0, 7)), Map.of())).isEqualTo("a + 1");
    assertThat(text.render(text.stripParens(new Span(7, 12)), Map.of())).isEqualTo("(b, c)");
    assertThat(text.render(text.stripParens(new Span(12, 17)), Map.of())).isEqualTo("(d)::int");
    assertThat(text.render(text.stripParens(new Span(17, 24)), Map.of())).isEqualTo("(e) + (f)");
  }

  @Test
  void renderCollapsesWhitespaceAndWritesPrefixes() throws Exception {
    CanonicalText text = CanonicalText.of("CASE\n    WHEN  flag THEN 'a  b'\n END");
    assertThat(text.render(text.whole(), Map.of(2, "t.")))
        .isEqualTo("CASE WHEN t.flag THEN 'a  b' END");
  }

  @Test
  void dropAliasRemovesAsAndTheName() throws Exception {
    CanonicalText text = CanonicalText.of("t.a + 1 AS \"Total\"");
    assertThat(text.render(text.dropAlias(text.whole()), Map.of())).isEqualTo("t.a + 1");
  }

  @Test
  void longTextIsShortenedForMessages() throws Exception {
    CanonicalText text = CanonicalText.of("SELECT " + "t.a + ".repeat(30) + "1");
    assertThat(text.display(text.whole())).hasSize(78).endsWith("…");
  }
}
