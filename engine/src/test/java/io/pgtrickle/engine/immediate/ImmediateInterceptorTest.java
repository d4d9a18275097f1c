package io.pgtrickle.engine.immediate;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.engine.session.Row;
import io.pgtrickle.engine.session.SqlSession;
import io.pgtrickle.sql.dml.StatementClass;
import io.pgtrickle.sql.dml.StatementClass.Kind;
import io.pgtrickle.sql.lex.QualifiedName;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ImmediateInterceptorTest {
  /** Makes each test's texts new to the shared class cache. */
  private static final AtomicLong UNIQUE = new AtomicLong(System.nanoTime());

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

  @Test
  void textsWithValuesInlineAreClassifiedButNotCachedUnlessTheyRepeat() {
    long u = UNIQUE.addAndGet(1_000);
    List<String> unique = new ArrayList<>();
    for (int k = 0; k < 200; k++) {
      unique.add("UPDATE src SET v = v + -17 WHERE id = " + (u + k));
    }
    for (String sql : unique) {
      StatementClass c = ImmediateInterceptor.classify(sql);
      assertThat(c.kind()).isEqualTo(Kind.WRITE);
      assertThat(c.writes()).extracting(QualifiedName::name).containsExactly("src");
      assertThat(c.inlineValues()).isTrue();
    }
    assertThat(unique).noneMatch(ImmediateInterceptor::isCached);

    String script = "UPDATE src SET v = 1 WHERE id = " + u + "; DELETE FROM other";
    StatementClass s = ImmediateInterceptor.classify(script);
    assertThat(s.writes())
        .extracting(QualifiedName::name)
        .containsExactlyInAnyOrder("src", "other");
    assertThat(ImmediateInterceptor.isCached(script)).isFalse();

    // A text with values inline that does come again is cached the second time.
    String again = unique.get(unique.size() - 1);
    StatementClass second = ImmediateInterceptor.classify(again);
    assertThat(second.writes()).extracting(QualifiedName::name).containsExactly("src");
    assertThat(ImmediateInterceptor.isCached(again)).isTrue();
    assertThat(ImmediateInterceptor.classify(again)).isSameAs(second);
  }

  @Test
  void textsWithoutValuesInlineAreCached() {
    long u = UNIQUE.incrementAndGet();
    String parameterised = "UPDATE src SET v = v + $1 WHERE id = $2 /* " + u + " */";
    String mixed = "UPDATE src SET v = v + 1 WHERE id = $1 /* " + u + " */";
    String bare = "DELETE FROM src_" + u;
    for (String sql : List.of(parameterised, mixed, bare)) {
      assertThat(ImmediateInterceptor.isCached(sql)).as(sql).isFalse();
      StatementClass c = ImmediateInterceptor.classify(sql);
      assertThat(c.kind()).as(sql).isEqualTo(Kind.WRITE);
      assertThat(ImmediateInterceptor.isCached(sql)).as(sql).isTrue();
      assertThat(ImmediateInterceptor.classify(sql)).as(sql).isSameAs(c);
    }
  }

  @Test
  void preparedTextsAreCachedWhateverTheyHold() {
    String sql = "INSERT INTO src (id, v) VALUES (?, 'x" + UNIQUE.incrementAndGet() + "')";
    StatementClass c = ImmediateInterceptor.classifyPrepared(sql);
    assertThat(c.writes()).extracting(QualifiedName::name).containsExactly("src");
    assertThat(ImmediateInterceptor.isCached(sql)).isTrue();
    assertThat(ImmediateInterceptor.classify(sql)).isSameAs(c);
  }

  @Test
  void withNothingTrackedAndAFreshListWritesAreNotClassified() throws Exception {
    MutableClock clock = new MutableClock();
    Catalog catalog = new Catalog();
    ImmediateInterceptor i = new ImmediateInterceptor(clock);
    long u = UNIQUE.incrementAndGet();

    // No list yet: the write is classified in full, and the list must be read.
    StatementClass first = i.classifyNow("DELETE FROM src_" + u + "_a");
    assertThat(first.kind()).isEqualTo(Kind.WRITE);
    assertThat(i.needsCatalog(first)).isTrue();
    i.loadCatalog(catalog);
    assertThat(catalog.loads).isEqualTo(1);

    // Fresh and empty: a write is not classified (its text, which has no values inline, would
    // otherwise be cached) and needs nothing.
    String write = "DELETE FROM src_" + u + "_b";
    StatementClass cheap = i.classifyNow(write);
    assertThat(ImmediateInterceptor.isCached(write)).isFalse();
    assertThat(cheap.mayWrite()).isFalse();
    assertThat(cheap.kind()).isNotIn(Kind.COMMIT, Kind.ROLLBACK, Kind.ROLLBACK_TO, Kind.BEGIN);
    assertThat(i.needsCatalog(cheap)).isFalse();
    assertThat(i.plan(cheap)).isEqualTo(new ImmediateInterceptor.Plan(false, false));

    // Transaction control is still told apart.
    assertThat(i.classifyNow("BEGIN").kind()).isEqualTo(Kind.BEGIN);
    assertThat(i.classifyNow("start transaction").kind()).isEqualTo(Kind.BEGIN);
    assertThat(i.classifyNow("SAVEPOINT s1").kind()).isEqualTo(Kind.SAVEPOINT);
    assertThat(i.classifyNow("RELEASE s1").kind()).isEqualTo(Kind.RELEASE);
    assertThat(i.classifyNow("ROLLBACK TO SAVEPOINT s1").kind()).isEqualTo(Kind.ROLLBACK_TO);
    assertThat(i.classifyNow("rollback").kind()).isEqualTo(Kind.ROLLBACK);
    assertThat(i.classifyNow("ABORT").kind()).isEqualTo(Kind.ROLLBACK);
    assertThat(i.classifyNow("/* c */ COMMIT;").kind()).isEqualTo(Kind.COMMIT);
    assertThat(i.classifyNow("END").kind()).isEqualTo(Kind.COMMIT);
    assertThat(i.classifyNow("PREPARE TRANSACTION 'x'").kind()).isEqualTo(Kind.PREPARE_TRANSACTION);

    // At the end of the list's second it is still fresh; just after, a write is classified in
    // full again and the list is read again, and a new IMMEDIATE source is noticed.
    clock.advance(ImmediateInterceptor.TRACKED_TTL);
    assertThat(i.classifyNow(write)).isSameAs(cheap);
    clock.advance(Duration.ofNanos(1));
    catalog.sources.add("src");
    StatementClass stale = i.classifyNow("UPDATE src SET v = 2 WHERE id = " + u);
    assertThat(stale.writes()).extracting(QualifiedName::name).containsExactly("src");
    assertThat(i.needsCatalog(stale)).isTrue();
    i.loadCatalog(catalog);
    assertThat(catalog.loads).isEqualTo(2);
    assertThat(i.plan(stale).writesTracked()).isTrue();
  }

  @Test
  void withSomethingTrackedOrPendingStatementsAreClassifiedInFull() throws Exception {
    MutableClock clock = new MutableClock();
    Catalog catalog = new Catalog();
    catalog.sources.add("src");
    catalog.streamTables.add("totals");
    ImmediateInterceptor i = new ImmediateInterceptor(clock);
    i.loadCatalog(catalog);
    long u = UNIQUE.incrementAndGet();

    StatementClass tracked = i.classifyNow("UPDATE src SET v = 1 WHERE id = " + u);
    assertThat(tracked.writes()).extracting(QualifiedName::name).containsExactly("src");
    assertThat(i.plan(tracked).writesTracked()).isTrue();
    StatementClass other = i.classifyNow("UPDATE other SET v = 1 WHERE id = " + u);
    assertThat(other.writes()).extracting(QualifiedName::name).containsExactly("other");
    assertThat(i.plan(other).writesTracked()).isFalse();

    // A write of a source is pending when the (fresh) list comes back empty: statements are still
    // told apart, so another write waits with the pending maintenance and DDL does not.
    i.after(tracked, true);
    catalog.sources.clear();
    catalog.streamTables.clear();
    clock.advance(Duration.ofSeconds(2));
    i.loadCatalog(catalog);
    StatementClass write = i.classifyNow("INSERT INTO other VALUES (" + u + ")");
    assertThat(write.writes()).extracting(QualifiedName::name).containsExactly("other");
    assertThat(i.plan(write).flushFirst()).isFalse();
    assertThat(i.plan(i.classifyNow("CREATE INDEX ON other (v)")).flushFirst()).isTrue();

    // Once nothing is pending, the cheap class again; a failed block is classified in full.
    i.ended();
    assertThat(i.classifyNow("INSERT INTO other VALUES (" + u + ")").mayWrite()).isFalse();
    i.statementFailed();
    assertThat(i.classifyNow("INSERT INTO other VALUES (" + u + ")").mayWrite()).isTrue();
  }

  /** A clock that moves only when told. */
  private static final class MutableClock extends Clock {
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }
  }

  /** A session that answers the catalog's two queries, counting the reads of the list. */
  private static final class Catalog implements SqlSession {
    final List<String> sources = new ArrayList<>();
    final List<String> streamTables = new ArrayList<>();
    int loads;

    @Override
    public List<Row> query(String sql, Object... params) {
      if (sql.contains("has_table_privilege")) {
        return List.of(new Row(List.of("t")));
      }
      assertThat(sql).contains("effective_refresh_mode = 'IMMEDIATE'");
      loads++;
      List<Row> rows = new ArrayList<>();
      sources.forEach(s -> rows.add(new Row(List.of("s", s))));
      streamTables.forEach(t -> rows.add(new Row(List.of("t", t))));
      return rows;
    }

    @Override
    public long update(String sql, Object... params) {
      throw new UnsupportedOperationException(sql);
    }

    @Override
    public List<Row> rawQuery(String sql) {
      throw new UnsupportedOperationException(sql);
    }

    @Override
    public long rawUpdate(String sql) {
      throw new UnsupportedOperationException(sql);
    }

    @Override
    public boolean inTransaction() {
      return false;
    }

    @Override
    public void begin() {
      throw new UnsupportedOperationException();
    }

    @Override
    public void commit() {
      throw new UnsupportedOperationException();
    }

    @Override
    public void rollback() {
      throw new UnsupportedOperationException();
    }
  }
}
