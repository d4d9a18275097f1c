package io.pgtrickle.engine.immediate;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.sql.dml.StatementClass;
import io.pgtrickle.sql.dml.StatementClass.Kind;
import io.pgtrickle.sql.lex.QualifiedName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ImmediateInterceptorTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          SELECT abalance FROM pgbench_accounts WHERE aid = 7;  | READ  |
          '  (SELECT 1)  '                                      | READ  |
          select ';' AS semicolon                                | READ  |
          SHOW search_path                                       | READ  |
          SELECT 1; INSERT INTO src VALUES (1)                   | WRITE | src
          WITH x AS (INSERT INTO src VALUES (1) RETURNING 1) SELECT * FROM x | WRITE | src
          INSERT INTO src VALUES (1); BEGIN; UPDATE src SET v = 2 | CALL | src
          CALL archive()                                         | CALL  |
          """)
  void readsAreReadsWithoutLexingAndScriptsAreClassifiedWhole(
      String sql, Kind kind, String written) {
    StatementClass c = ImmediateInterceptor.classify(sql);
    assertThat(c.kind()).isEqualTo(kind);
    if (written == null) {
      assertThat(c.writes()).isEmpty();
    } else {
      assertThat(c.writes()).extracting(QualifiedName::name).containsExactly(written);
    }
    assertThat(c.mayWrite()).isEqualTo(kind != Kind.READ);
  }
}
