package io.pgtrickle.sql.dml;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.sql.dml.StatementClass.Kind;
import io.pgtrickle.sql.lex.QualifiedName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Statement classification for IMMEDIATE maintenance. */
class StatementClassifierTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          INSERT INTO orders VALUES (1)                                  | orders
          insert into public.orders select * from staging               | public.orders
          UPDATE ONLY "Orders" SET a = 1                                  | Orders
          DELETE FROM s.t USING u WHERE s.t.id = u.id                     | s.t
          MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN UPDATE SET v = s.v WHEN NOT MATCHED THEN INSERT VALUES (s.id) | t
          INSERT INTO t VALUES (1) ON CONFLICT (id) DO UPDATE SET v = excluded.v | t
          WITH moved AS (DELETE FROM a RETURNING *) INSERT INTO b SELECT * FROM moved | a b
          WITH x AS (SELECT 1) UPDATE t SET v = 2 FROM x                   | t
          COPY t (a, b) FROM STDIN                                        | t
          TRUNCATE TABLE ONLY a, s.b *, c                                 | a s.b c
          EXPLAIN (ANALYZE) DELETE FROM t                                 | t
          explain analyze insert into t values (1)                        | t
          """)
  void writesNameTheirTargets(String sql, String targets) {
    StatementClass c = StatementClassifier.classify(sql);
    assertThat(c.kind()).isEqualTo(Kind.WRITE);
    assertThat(c.writesUnknown()).isFalse();
    assertThat(c.writes()).containsExactlyInAnyOrder(names(targets));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          SELECT * FROM t FOR UPDATE                    | READ
          select 'insert into t values (1)'            | READ
          VALUES (1)                                    | READ
          TABLE t                                       | READ
          WITH x AS (SELECT 1) SELECT * FROM x          | READ
          COPY t TO STDOUT                              | READ
          COPY (SELECT * FROM t) TO STDOUT              | READ
          SHOW search_path                              | READ
          EXPLAIN DELETE FROM t                         | READ
          SELECT 1 INTO newtable                        | OTHER
          CREATE TABLE t (id int REFERENCES p ON DELETE CASCADE ON UPDATE CASCADE) | OTHER
          GRANT SELECT, UPDATE ON t TO app              | OTHER
          PREPARE p AS INSERT INTO t VALUES ($1)        | OTHER
          CREATE RULE r AS ON INSERT TO t DO INSTEAD NOTHING | OTHER
          SET search_path = app                         | OTHER
          ''                                            | OTHER
          """)
  void readsAndOtherStatementsWriteNothing(String sql, Kind kind) {
    StatementClass c = StatementClassifier.classify(sql);
    assertThat(c.kind()).isEqualTo(kind);
    assertThat(c.mayWrite()).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          BEGIN                               | BEGIN
          begin isolation level serializable  | BEGIN
          START TRANSACTION READ ONLY         | BEGIN
          COMMIT                              | COMMIT
          end work                            | COMMIT
          ROLLBACK                            | ROLLBACK
          abort                               | ROLLBACK
          ROLLBACK TO SAVEPOINT s1            | ROLLBACK_TO
          rollback work to s1                 | ROLLBACK_TO
          SAVEPOINT s1                        | SAVEPOINT
          RELEASE SAVEPOINT s1                | RELEASE
          PREPARE TRANSACTION 'x'             | PREPARE_TRANSACTION
          COMMIT PREPARED 'x'                 | OTHER
          ROLLBACK PREPARED 'x'               | OTHER
          """)
  void transactionControl(String sql, Kind kind) {
    assertThat(StatementClassifier.classify(sql).kind()).isEqualTo(kind);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          CALL archive_orders()
          DO $$ BEGIN DELETE FROM t; END $$
          EXECUTE p(1)
          SELECT $$never closed
          """)
  void writesThatCannotBeNamedAreUnknown(String sql) {
    StatementClass c = StatementClassifier.classify(sql);
    assertThat(c.writesUnknown()).isTrue();
    assertThat(c.mayWrite()).isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          CALL archive_orders()               | CALL
          call archive_orders()               | CALL
          DO $$ BEGIN COMMIT; END $$          | CALL
          EXECUTE p(1)                        | WRITE
          """)
  void codeThatMayCommitOnItsOwnIsACall(String sql, Kind kind) {
    assertThat(StatementClassifier.classify(sql).kind()).isEqualTo(kind);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          INSERT INTO audit SELECT * FROM "Live_Totals"  | Live_Totals
          select * from live_totals                      | live_totals
          SELECT * FROM LIVE_TOTALS                      | live_totals
          """)
  void namesAreFoldedAsPostgresFoldsThem(String sql, String name) {
    assertThat(StatementClassifier.classify(sql).mentions(name)).isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          UPDATE pgbench_accounts SET abalance = abalance + -2345 WHERE aid = 67890 | true
          INSERT INTO t VALUES ('x')                              | true
          insert into t values (E'a\\nb', B'101', X'1F', 1.5e3) | true
          DO $$BEGIN PERFORM 1; END$$                             | true
          SELECT 1                                                | true
          UPDATE t SET v = $1 WHERE id = $2                       | false
          UPDATE t SET v = v + 1 WHERE id = $1                    | false
          UPDATE t SET v = ? WHERE id = ?                         | false
          DELETE FROM t -- 42                                     | false
          INSERT INTO "1" SELECT * FROM s                         | false
          BEGIN                                                   | false
          ROLLBACK TO SAVEPOINT s1                                | false
          INSERT INTO t VALUES ('unterminated                     | false
          """)
  void inlineValuesAreLiteralsWithoutParameters(String sql, boolean inline) {
    assertThat(StatementClassifier.classify(sql).inlineValues()).isEqualTo(inline);
  }

  private static QualifiedName[] names(String spaceSeparated) {
    return java.util.Arrays.stream(spaceSeparated.trim().split(" +"))
        .map(
            n ->
                n.contains(".")
                    ? new QualifiedName(
                        n.substring(0, n.indexOf('.')), n.substring(n.indexOf('.') + 1))
                    : new QualifiedName(null, n))
        .toArray(QualifiedName[]::new);
  }
}
