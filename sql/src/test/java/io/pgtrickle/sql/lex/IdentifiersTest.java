package io.pgtrickle.sql.lex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtrickle.errors.PgTrickleException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IdentifiersTest {

  @Test
  void quoteAlwaysQuotesAndDoublesQuotes() {
    assertThat(Identifiers.quote("orders")).isEqualTo("\"orders\"");
    assertThat(Identifiers.quote("My \"T\"")).isEqualTo("\"My \"\"T\"\"\"");
    assertThat(Identifiers.quote("")).isEqualTo("\"\"");
  }

  @Test
  void quoteLiteralDoublesQuotesAndUsesEForBackslashes() {
    assertThat(Identifiers.quoteLiteral("it's")).isEqualTo("'it''s'");
    assertThat(Identifiers.quoteLiteral("")).isEqualTo("''");
    assertThat(Identifiers.quoteLiteral("a\\b'c")).isEqualTo("E'a\\\\b''c'");
  }

  @Test
  void quotedLiteralsLexBackToTheValue() throws Exception {
    for (String v : new String[] {"plain", "it's", "back\\slash", "both\\'", "\n", "é😀"}) {
      String lexed = SqlLexer.tokenize(Identifiers.quoteLiteral(v), false).get(0).value();
      assertThat(lexed).isEqualTo(v);
      String ident = SqlLexer.tokenize(Identifiers.quote(v), false).get(0).value();
      assertThat(ident).isEqualTo(v);
    }
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '~',
      nullValues = "NULL",
      value = {
        "orders|NULL|orders",
        "Orders|NULL|orders",
        "public.orders|public|orders",
        "  Sales . Q1_totals$  |sales|q1_totals$",
        "\"My Table\"|NULL|My Table",
        "\"sch\".\"x\"|sch|x",
        "\"a.b\".c|a.b|c",
        "\"say \"\"hi\"\"\"|NULL|say \"hi\"",
        "_x|NULL|_x",
        "\"1abc\"|NULL|1abc",
        "\"x; DROP TABLE y\"|NULL|x; DROP TABLE y",
      })
  void parsesAcceptedForms(String input, String schema, String name) throws Exception {
    assertThat(Identifiers.parseQualifiedName(input)).isEqualTo(new QualifiedName(schema, name));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "x; DROP TABLE y",
        "a.b.c",
        "",
        "   ",
        "1abc",
        "a b",
        "a.",
        ".a",
        "a..b",
        "\"\"",
        "\"unterminated",
        "\"a\"b",
        "ärger",
        "a-b",
        "\"nul\0\"",
      })
  void rejectsEverythingElse(String input) {
    assertThatThrownBy(() -> Identifiers.parseQualifiedName(input))
        .isInstanceOfSatisfying(
            PgTrickleException.class,
            e -> {
              assertThat(e.getSQLState()).isEqualTo("42602");
              assertThat(e.getMessage()).isEqualTo("invalid stream table name \"" + input + "\"");
              assertThat(e.hint()).contains("schema.name").contains("\"My Table\"");
            });
  }

  @Test
  void namesOver63BytesAreRejectedNotTruncated() throws Exception {
    String max = "a".repeat(63);
    assertThat(Identifiers.parseQualifiedName(max + "." + max).name()).isEqualTo(max);
    // 32 two-byte characters are 64 bytes although only 32 chars long.
    String wide = "\"" + "é".repeat(32) + "\"";
    for (String input : new String[] {"a".repeat(64), "s." + "b".repeat(64), wide}) {
      assertThatThrownBy(() -> Identifiers.parseQualifiedName(input))
          .isInstanceOfSatisfying(
              PgTrickleException.class,
              e -> {
                assertThat(e.getSQLState()).isEqualTo("42602");
                assertThat(e.getMessage()).contains("name too long, at most 63 bytes");
              });
    }
  }

  @Test
  void nullNameIsANullValueError() {
    assertThatThrownBy(() -> Identifiers.parseQualifiedName(null))
        .isInstanceOfSatisfying(
            PgTrickleException.class, e -> assertThat(e.getSQLState()).isEqualTo("22004"));
  }

  @Test
  void qualifiedNameQuotesItself() {
    assertThat(new QualifiedName("public", "My \"T\"").quoted())
        .isEqualTo("\"public\".\"My \"\"T\"\"\"");
    assertThat(new QualifiedName(null, "x").toString()).isEqualTo("\"x\"");
    assertThat(new QualifiedName(null, "x").isQualified()).isFalse();
    assertThatThrownBy(() -> new QualifiedName("s", ""))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new QualifiedName(null, null))
        .isInstanceOf(NullPointerException.class);
  }
}
