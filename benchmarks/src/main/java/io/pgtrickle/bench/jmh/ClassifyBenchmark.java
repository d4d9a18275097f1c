package io.pgtrickle.bench.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgtrickle.engine.immediate.ImmediateInterceptor;
import io.pgtrickle.engine.session.Row;
import io.pgtrickle.server.protocol.FrontendMessages;
import io.pgtrickle.server.protocol.MessageReader;
import io.pgtrickle.sql.dml.StatementClass;
import io.pgtrickle.sql.dml.StatementClassifier;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What deciding IMMEDIATE maintenance costs per client statement: {@link
 * ImmediateInterceptor#classify}, which the driver calls on every statement and the proxy on every
 * Query and Parse.
 *
 * <p>Each call gets a String it has not hashed before, as a statement decoded from the wire or
 * handed to the driver would be; {@link #baselineBuildText} measures making that String alone.
 * Texts with changing literals never repeat, so they miss the class cache every time; they are not
 * put in it. {@link ImmediateInterceptor#classifyNow}, which the proxy calls on every Query and the
 * driver on every statement text it runs, skips classifying them while the connection has nothing
 * IMMEDIATE to maintain.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class ClassifyBenchmark {
  private static final String MENTION = "pgtrickle";
  private static final int QUERY_RING = 4096;

  private final byte[] repeatedUpdate =
      Statements.accountUpdate(67_890, -2_345).getBytes(StandardCharsets.UTF_8);
  private long n;

  /** Query messages as the proxy receives them; the payload is the part after the header. */
  private ByteBuf[] selectQueries;

  private ByteBuf updateQuery;

  /** A connection whose catalog names no IMMEDIATE source, read once and (fixed clock) fresh. */
  private ImmediateInterceptor nothingTracked;

  /** A connection that maintains a stream table over pgbench_accounts. */
  private ImmediateInterceptor accountsTracked;

  @Setup(Level.Trial)
  public void buildMessages() {
    ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
    selectQueries = new ByteBuf[QUERY_RING];
    for (int i = 0; i < QUERY_RING; i++) {
      selectQueries[i] =
          FrontendMessages.query(alloc, Statements.selectOnly(1 + i * 24L), StandardCharsets.UTF_8);
    }
    updateQuery =
        FrontendMessages.query(
            alloc, Statements.accountUpdate(67_890, -2_345), StandardCharsets.UTF_8);
  }

  @Setup(Level.Trial)
  public void readCatalogs() throws SQLException {
    // A fixed clock keeps the list fresh: the once-a-second reread is a query, not measured here.
    Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    nothingTracked = new ImmediateInterceptor(clock);
    nothingTracked.loadCatalog(new ImmediateCatalog(List.of()));
    accountsTracked = new ImmediateInterceptor(clock);
    accountsTracked.loadCatalog(
        new ImmediateCatalog(
            List.of(
                new Row(List.of("s", "pgbench_accounts")),
                new Row(List.of("t", "accounts_by_branch")))));
  }

  @TearDown(Level.Trial)
  public void releaseMessages() {
    for (ByteBuf b : selectQueries) {
      b.release();
    }
    updateQuery.release();
  }

  /** Making a fresh statement String with new literals, which every benchmark below includes. */
  @Benchmark
  public String baselineBuildText() {
    return Statements.accountUpdate(++n, Statements.delta(n));
  }

  /** The same UPDATE text every time (a prepared statement, or literals that repeat). */
  @Benchmark
  public StatementClass cacheHitRepeatedUpdate() {
    return ImmediateInterceptor.classify(new String(repeatedUpdate, StandardCharsets.UTF_8));
  }

  /** pgbench's account UPDATE with new literals each time: lexed and classified (not cached). */
  @Benchmark
  public StatementClass cacheMissUniqueUpdate() {
    return ImmediateInterceptor.classify(Statements.accountUpdate(++n, Statements.delta(n)));
  }

  /**
   * pgbench's account UPDATE with new literals each time, as a connection with no IMMEDIATE source
   * to maintain classifies it: from its first word.
   */
  @Benchmark
  public StatementClass connectionUniqueUpdateNothingTracked() {
    return nothingTracked.classifyNow(Statements.accountUpdate(++n, Statements.delta(n)));
  }

  /** The same on a connection that maintains a stream table over the table it writes: in full. */
  @Benchmark
  public StatementClass connectionUniqueUpdateTracked() {
    return accountsTracked.classifyNow(Statements.accountUpdate(++n, Statements.delta(n)));
  }

  /** pgbench's TPC-B transaction as one seven-statement text, new literals each time. */
  @Benchmark
  public StatementClass cacheMissTpcbScript() {
    long aid = ++n;
    return ImmediateInterceptor.classify(
        Statements.tpcbScript(aid, (int) (aid % 10) + 1, 1, Statements.delta(aid)));
  }

  /** pgbench -S's point read: the single-SELECT fast path, neither lexed nor cached. */
  @Benchmark
  public StatementClass fastPathSelect() {
    return ImmediateInterceptor.classify(Statements.selectOnly(++n));
  }

  /** The same read through the full classifier, which the fast path skips. */
  @Benchmark
  public StatementClass classifierSelectNoFastPath() {
    return StatementClassifier.classify(Statements.selectOnly(++n));
  }

  /** The account UPDATE through the classifier alone: what a cache miss adds the cache to. */
  @Benchmark
  public StatementClass classifierUniqueUpdateNoCache() {
    return StatementClassifier.classify(Statements.accountUpdate(++n, Statements.delta(n)));
  }

  /**
   * What the proxy does with a Query message before forwarding it: decode the text, scan the bytes
   * for an API call, classify (pgbench -S, fast path).
   */
  @Benchmark
  public StatementClass proxyQuerySelect() {
    return proxyQuery(selectQueries[(int) (++n % QUERY_RING)]);
  }

  /** The same for a repeated UPDATE text (a class-cache hit). */
  @Benchmark
  public StatementClass proxyQueryRepeatedUpdate() {
    return proxyQuery(updateQuery);
  }

  /** The first step of {@link #proxyQuerySelect} alone: decoding the text from the message. */
  @Benchmark
  public String proxyQuerySelectDecodeOnly() {
    ByteBuf message = selectQueries[(int) (++n % QUERY_RING)];
    return MessageReader.query(
        message.slice(5, message.readableBytes() - 5), StandardCharsets.UTF_8);
  }

  /** The second step of {@link #proxyQuerySelect} alone: the byte scan for an API call. */
  @Benchmark
  public boolean proxyQuerySelectScanOnly() {
    ByteBuf message = selectQueries[(int) (++n % QUERY_RING)];
    return MessageReader.mentions(message.slice(5, message.readableBytes() - 5), MENTION);
  }

  /** As {@code ClientSession.onQuery} does it, for a statement that is not an API call. */
  private static StatementClass proxyQuery(ByteBuf message) {
    ByteBuf payload = message.slice(5, message.readableBytes() - 5);
    String sql = MessageReader.query(payload, StandardCharsets.UTF_8);
    if (MessageReader.mentions(payload, MENTION)) {
      throw new IllegalStateException("not an API call: " + sql);
    }
    return ImmediateInterceptor.classify(sql);
  }

  /** Answers the interceptor's two catalog reads: readable, and these rows for the list. */
  private static final class ImmediateCatalog extends RefusingSession {
    private final List<Row> tracked;

    ImmediateCatalog(List<Row> tracked) {
      this.tracked = tracked;
    }

    @Override
    public List<Row> query(String sql, Object... params) {
      return sql.contains("has_table_privilege") ? List.of(new Row(List.of("t"))) : tracked;
    }
  }
}
