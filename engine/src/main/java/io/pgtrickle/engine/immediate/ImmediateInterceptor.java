package io.pgtrickle.engine.immediate;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.pgtrickle.engine.session.Row;
import io.pgtrickle.engine.session.SqlSession;
import io.pgtrickle.sql.dml.StatementClass;
import io.pgtrickle.sql.dml.StatementClass.Kind;
import io.pgtrickle.sql.dml.StatementClassifier;
import io.pgtrickle.sql.lex.QualifiedName;
import io.pgtrickle.sql.lex.Statements;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One client connection's interception state for IMMEDIATE stream tables: which statements write
 * their sources, whether maintenance is pending, and when it must run.
 *
 * <p>Maintenance is deferred: a write to a source only marks the connection dirty, and the pending
 * changes are applied before the next statement that could read a stream table (anything but a
 * write, or a write that names one), before COMMIT, and at the end of an autocommit statement. A
 * run of INSERTs in one transaction thus pays for one maintenance.
 *
 * <p>Which tables matter is read from the catalog at most once a second per connection (and at once
 * after this connection's own API calls); a write missed in that window is still captured by the
 * triggers and applied by the next maintenance or refresh.
 */
public final class ImmediateInterceptor {
  /** How long the catalog's list of IMMEDIATE sources is trusted. */
  static final Duration TRACKED_TTL = Duration.ofSeconds(1);

  private static final Cache<String, StatementClass> CLASSES =
      Caffeine.newBuilder().maximumSize(10_000).build();

  private final SqlSession session;
  private final Clock clock;
  private Tracked tracked;
  private Instant trackedAt;
  private boolean dirty;

  /** Whether a statement failed in the current block, which the server has therefore aborted. */
  private boolean failed;

  /** Names to watch: source tables and the IMMEDIATE stream tables themselves (relname). */
  private record Tracked(Set<String> sources, Set<String> streamTables) {
    boolean isEmpty() {
      return sources.isEmpty();
    }
  }

  /** An interceptor whose maintenance runs on {@code session}. */
  public ImmediateInterceptor(SqlSession session, Clock clock) {
    this.session = session;
    this.clock = clock;
  }

  /** The class of {@code sql}, which may hold several statements; cached by text. */
  public static StatementClass classify(String sql) {
    return CLASSES.get(sql, ImmediateInterceptor::classifyAll);
  }

  private static StatementClass classifyAll(String sql) {
    List<String> parts = Statements.split(sql);
    if (parts.size() <= 1) {
      return StatementClassifier.classify(sql);
    }
    Set<QualifiedName> writes = new LinkedHashSet<>();
    Set<String> names = new HashSet<>();
    boolean unknown = false;
    Kind kind = Kind.READ;
    for (String part : parts) {
      StatementClass c = StatementClassifier.classify(part);
      writes.addAll(c.writes());
      names.addAll(c.names());
      unknown |= c.writesUnknown();
      if (c.kind() != Kind.READ && c.kind() != Kind.WRITE) {
        // Transaction control inside a multi-statement string: treat it as unknown.
        unknown = true;
      }
      if (c.kind() == Kind.WRITE) {
        kind = Kind.WRITE;
      }
    }
    return new StatementClass(kind, writes, unknown, names);
  }

  /**
   * Call before a client statement runs: applies pending maintenance if the statement could read a
   * stream table or ends the transaction, and tells whether the statement writes a source of an
   * IMMEDIATE stream table (so an autocommit caller must run it with its maintenance in one
   * transaction).
   */
  public boolean before(StatementClass c) throws SQLException {
    if (dirty && !failed && needsFlushBefore(c)) {
      flush();
    }
    return writesTracked(c);
  }

  /**
   * Call after a client statement succeeded inside a transaction block.
   *
   * @param writesTracked what {@link #before} said of the statement
   */
  public void after(StatementClass c, boolean writesTracked) {
    switch (c.kind()) {
      case COMMIT, ROLLBACK, PREPARE_TRANSACTION -> ended();
      case ROLLBACK_TO -> rolledBackToSavepoint();
      default -> dirty |= writesTracked;
    }
  }

  /** Call when a statement failed inside a transaction block: the server aborted the block. */
  public void statementFailed() {
    failed = true;
  }

  /**
   * Call after ROLLBACK TO SAVEPOINT: the block works again, and a maintenance run after the
   * savepoint was undone with it while the changes written before the savepoint remain, so they may
   * be pending again.
   */
  public void rolledBackToSavepoint() {
    failed = false;
    dirty = true;
  }

  /** Call before the transaction commits (COMMIT, or JDBC commit()). */
  public void beforeCommit() throws SQLException {
    if (dirty && !failed) {
      flush();
    }
  }

  /** Call when the transaction ended (committed, rolled back, or the autocommit statement done). */
  public void ended() {
    dirty = false;
    failed = false;
  }

  /** Applies the transaction's pending changes now. */
  public void flush() throws SQLException {
    ImmediateMaintenance.flush(session);
    dirty = false;
  }

  /** Forgets the catalog's list, after this connection created, altered or dropped a table. */
  public void invalidate() {
    tracked = null;
  }

  private boolean needsFlushBefore(StatementClass c) throws SQLException {
    return switch (c.kind()) {
      case WRITE -> mentionsStreamTable(c) || c.writesUnknown();
      case BEGIN, SAVEPOINT, ROLLBACK, ROLLBACK_TO -> false;
      default -> true;
    };
  }

  private boolean mentionsStreamTable(StatementClass c) throws SQLException {
    for (String name : tracked().streamTables()) {
      if (c.mentions(name)) {
        return true;
      }
    }
    return false;
  }

  private boolean writesTracked(StatementClass c) throws SQLException {
    if (!c.mayWrite()) {
      return false;
    }
    Tracked t = tracked();
    if (t.isEmpty()) {
      return false;
    }
    if (c.writesUnknown()) {
      return true;
    }
    for (QualifiedName w : c.writes()) {
      if (t.sources().contains(w.name())) {
        return true;
      }
    }
    return false;
  }

  private Tracked tracked() throws SQLException {
    Instant now = clock.instant();
    if (tracked == null || trackedAt.plus(TRACKED_TTL).isBefore(now)) {
      tracked = load();
      trackedAt = now;
    }
    return tracked;
  }

  private Tracked load() throws SQLException {
    Set<String> sources = new HashSet<>();
    Set<String> streamTables = new HashSet<>();
    List<Row> rows =
        session.query(
            "SELECT 's', c.relname FROM pgtrickle.pgt_stream_tables s"
                + " JOIN pgtrickle.pgt_dependencies d ON d.pgt_id = s.pgt_id"
                + " JOIN pg_catalog.pg_class c ON c.oid = d.source_relid"
                + " WHERE s.effective_refresh_mode = 'IMMEDIATE'"
                + " UNION ALL SELECT 't', s.pgt_name FROM pgtrickle.pgt_stream_tables s"
                + " WHERE s.effective_refresh_mode = 'IMMEDIATE'");
    for (Row r : rows) {
      (r.text(0).equals("s") ? sources : streamTables).add(r.text(1));
    }
    return new Tracked(sources, streamTables);
  }
}
