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
 *
 * <p>While that list is fresh and empty and nothing is pending, no statement can need maintenance,
 * and {@link #classifyNow} tells a statement's class from its first word alone (the ones that
 * control the transaction are still classified in full); a write of a table that became a source
 * within the list's second is caught as above.
 *
 * <p>The decisions ({@link #needsCatalog}, {@link #plan}) do no I/O, so a caller that cannot block
 * (the proxy's event loop) can make them and run the I/O ({@link #loadCatalog}, {@link #flush})
 * elsewhere; {@link #before} does all of it for a caller that can block (the driver).
 */
public final class ImmediateInterceptor {
  /** How long the catalog's list of IMMEDIATE sources is trusted. */
  static final Duration TRACKED_TTL = Duration.ofSeconds(1);

  /**
   * Classes by statement text. A text that carries its values inline ({@link
   * StatementClass#inlineValues}) practically never repeats, so {@link #classify} puts it here only
   * when it comes a second time (see {@link #SEEN}): otherwise it would only cost an insertion and
   * evict a text that does repeat. The cache's upkeep runs on the caller's thread because handing
   * it to the common pool woke a pool thread on nearly every miss, which cost more than the upkeep
   * itself.
   */
  private static final Cache<String, StatementClass> CLASSES =
      Caffeine.newBuilder().maximumSize(10_000).executor(Runnable::run).build();

  /**
   * The hashes of texts with inline values classified lately, one per slot chosen by the hash: a
   * text whose hash is still in its slot when it comes again is cached then, so a constant text
   * that repeats (the same UPDATE … WHERE id = 1 in a loop) is a cache hit from its third time on.
   * Unsynchronised: an int is written whole, a write lost to a race only means a text is cached a
   * time later, and a collision only that a text is cached that need not be.
   */
  private static final int[] SEEN = new int[4096];

  /** Whether this role can read the catalog tables {@link #load} reads, asked of pg_catalog. */
  private static final String CATALOG_READABLE =
      "SELECT count(*) = 2 FROM pg_catalog.pg_class c"
          + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
          + " WHERE n.nspname = 'pgtrickle'"
          + " AND c.relname IN ('pgt_stream_tables', 'pgt_dependencies')"
          + " AND pg_catalog.has_schema_privilege(n.oid, 'USAGE')"
          + " AND pg_catalog.has_table_privilege(c.oid, 'SELECT')";

  private static final String TRACKED =
      "SELECT 's', c.relname FROM pgtrickle.pgt_stream_tables s"
          + " JOIN pgtrickle.pgt_dependencies d ON d.pgt_id = s.pgt_id"
          + " JOIN pg_catalog.pg_class c ON c.oid = d.source_relid"
          + " WHERE s.effective_refresh_mode = 'IMMEDIATE'"
          + " UNION ALL SELECT 't', s.pgt_name FROM pgtrickle.pgt_stream_tables s"
          + " WHERE s.effective_refresh_mode = 'IMMEDIATE'";

  private static final Tracked NOTHING = new Tracked(Set.of(), Set.of());

  /** Words that start a statement controlling the transaction, which {@link #after} follows. */
  private static final Set<String> TRANSACTION_WORDS =
      Set.of(
          "begin",
          "start",
          "commit",
          "end",
          "rollback",
          "abort",
          "savepoint",
          "release",
          "prepare");

  /**
   * What {@link #classifyNow} says of a statement that does not control the transaction while
   * nothing is tracked: that it writes nothing, which is all that matters then.
   */
  private static final StatementClass UNTRACKED =
      new StatementClass(Kind.OTHER, Set.of(), false, Set.of());

  private final Clock clock;
  private Tracked tracked;

  /** When {@link #tracked} goes stale: read then, plus {@link #TRACKED_TTL}. */
  private Instant trackedUntil;

  private boolean catalogReadable;
  private boolean dirty;

  /** Whether the transaction wrote a source at all, so a rollback to a savepoint may leave some. */
  private boolean wroteSources;

  /** Whether a statement failed in the current block, which the server has therefore aborted. */
  private boolean failed;

  /** Names to watch: source tables and the IMMEDIATE stream tables themselves (relname). */
  private record Tracked(Set<String> sources, Set<String> streamTables) {
    boolean isEmpty() {
      return sources.isEmpty();
    }
  }

  /**
   * What must happen around one statement.
   *
   * @param flushFirst apply the pending maintenance before the statement runs
   * @param writesTracked the statement writes a source of an IMMEDIATE stream table (so an
   *     autocommit caller must run it with its maintenance in one transaction)
   */
  public record Plan(boolean flushFirst, boolean writesTracked) {}

  /** An interceptor for one connection. */
  public ImmediateInterceptor(Clock clock) {
    this.clock = clock;
  }

  /**
   * A read, as far as maintenance cares: it needs pending maintenance first and writes nothing. The
   * names a read mentions are never asked for, so one instance serves every plain read.
   */
  private static final StatementClass PLAIN_READ =
      new StatementClass(Kind.READ, Set.of(), false, Set.of());

  private static final Set<String> READ_KEYWORDS = Set.of("select", "values", "table", "show");

  /**
   * The class of {@code sql}, which may hold several statements; cached by text, but a text that
   * carries its values inline (literals, no {@code $n} parameters) only from its second time, as a
   * client that writes its values into each statement (pgbench in the simple protocol) sends a new
   * text every time. A single statement that starts with SELECT, VALUES, TABLE or SHOW is a plain
   * read without lexing or caching, so a stream of reads with literals in their text (pgbench -S in
   * the simple protocol) costs a scan of the first word and a search for a semicolon.
   */
  public static StatementClass classify(String sql) {
    if (READ_KEYWORDS.contains(Statements.firstKeyword(sql)) && isOneStatement(sql)) {
      return PLAIN_READ;
    }
    StatementClass c = CLASSES.getIfPresent(sql);
    if (c == null) {
      c = classifyAll(sql);
      if (!c.inlineValues() || seenBefore(sql)) {
        CLASSES.put(sql, c);
      }
    }
    return c;
  }

  /** Whether {@code sql}'s hash is in its slot of {@link #SEEN}; puts it there if not. */
  private static boolean seenBefore(String sql) {
    int h = sql.hashCode();
    int slot = (h ^ (h >>> 16)) & (SEEN.length - 1);
    if (SEEN[slot] == h) {
      return true;
    }
    SEEN[slot] = h;
    return false;
  }

  /**
   * Like {@link #classify}, for the text of a statement prepared to be run again (a JDBC
   * PreparedStatement), which is cached whatever it holds: pools and ORMs prepare the same text for
   * each execution, and its parameters are JDBC {@code ?}s, which the classifier does not count.
   */
  public static StatementClass classifyPrepared(String sql) {
    if (READ_KEYWORDS.contains(Statements.firstKeyword(sql)) && isOneStatement(sql)) {
      return PLAIN_READ;
    }
    return CLASSES.get(sql, ImmediateInterceptor::classifyAll);
  }

  /**
   * The class of {@code sql} for this connection to act on now, in the calls that follow for this
   * statement (not to keep for later executions, as a prepared statement's class is kept). While
   * the catalog's list is fresh and names no source, and no maintenance is pending nor the block
   * aborted, no statement can need maintenance, and the text is not classified: a statement that
   * does not start with a transaction-control word is a class that writes nothing. Otherwise, and
   * always for BEGIN, COMMIT, ROLLBACK [TO], SAVEPOINT, RELEASE, PREPARE …, it is {@link
   * #classify}'s class. A stale list is left for {@link #needsCatalog} to reread at the next
   * statement that may write, as before.
   */
  public StatementClass classifyNow(String sql) {
    if (nothingToMaintain() && !TRANSACTION_WORDS.contains(Statements.firstKeyword(sql))) {
      return UNTRACKED;
    }
    return classify(sql);
  }

  /** Whether no statement can need maintenance now (see {@link #classifyNow}). */
  private boolean nothingToMaintain() {
    return !dirty
        && !failed
        && tracked != null
        && tracked.isEmpty()
        && !trackedUntil.isBefore(clock.instant());
  }

  /** Whether {@code sql} is in the class cache; for tests. */
  static boolean isCached(String sql) {
    return CLASSES.getIfPresent(sql) != null;
  }

  /**
   * Whether {@code sql} has no semicolon but a trailing one: then it is one statement. A semicolon
   * in a literal makes this false, and the text is lexed instead.
   */
  private static boolean isOneStatement(String sql) {
    int semicolon = sql.indexOf(';');
    if (semicolon < 0) {
      return true;
    }
    for (int i = semicolon + 1; i < sql.length(); i++) {
      if (!Character.isWhitespace(sql.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static StatementClass classifyAll(String sql) {
    if (isOneStatement(sql)) {
      // What the split below would conclude, without lexing the text twice.
      return StatementClassifier.classify(sql);
    }
    List<String> parts = Statements.split(sql);
    if (parts.size() <= 1) {
      return StatementClassifier.classify(sql);
    }
    Set<QualifiedName> writes = new LinkedHashSet<>();
    Set<String> names = new HashSet<>();
    boolean unknown = false;
    Kind kind = Kind.READ;
    boolean inline = false;
    for (String part : parts) {
      StatementClass c = StatementClassifier.classify(part);
      inline |= c.inlineValues();
      writes.addAll(c.writes());
      names.addAll(c.names());
      unknown |= c.writesUnknown();
      switch (c.kind()) {
        case READ -> {}
        case WRITE -> kind = kind == Kind.CALL ? kind : Kind.WRITE;
        case OTHER -> unknown = true;
        default -> {
          // Transaction control or a call inside a script: it may commit part of what it writes.
          kind = Kind.CALL;
          unknown = true;
        }
      }
    }
    return new StatementClass(kind, writes, unknown, names, inline);
  }

  /**
   * Whether {@link #plan} needs the catalog's list read first: the statement may write, and the
   * list is missing or older than {@link #TRACKED_TTL}.
   */
  public boolean needsCatalog(StatementClass c) {
    return c.mayWrite() && (tracked == null || trackedUntil.isBefore(clock.instant()));
  }

  /** Reads which tables are IMMEDIATE sources, on {@code s}; never fails for a missing catalog. */
  public void loadCatalog(SqlSession s) throws SQLException {
    tracked = load(s);
    trackedUntil = clock.instant().plus(TRACKED_TTL);
  }

  /** Decides what {@code c} needs, from the catalog's list as last read (none if never read). */
  public Plan plan(StatementClass c) {
    Tracked t = tracked == null ? NOTHING : tracked;
    boolean flushFirst = dirty && !failed && needsFlushBefore(c, t);
    return new Plan(flushFirst, writesTracked(c, t));
  }

  /**
   * Call before a client statement runs: reads the catalog if need be, applies pending maintenance
   * if the statement could read a stream table or ends the transaction, and tells whether the
   * statement writes a source of an IMMEDIATE stream table.
   */
  public boolean before(SqlSession s, StatementClass c) throws SQLException {
    if (needsCatalog(c)) {
      loadCatalog(s);
    }
    Plan p = plan(c);
    if (p.flushFirst()) {
      flush(s);
    }
    return p.writesTracked();
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
      default -> {
        dirty |= writesTracked;
        wroteSources |= writesTracked;
      }
    }
  }

  /** Call when a statement failed inside a transaction block: the server aborted the block. */
  public void statementFailed() {
    failed = true;
  }

  /**
   * Call after ROLLBACK TO SAVEPOINT: the block works again, and a maintenance run after the
   * savepoint was undone with it while the changes written before the savepoint remain, so they may
   * be pending again (if the transaction wrote any).
   */
  public void rolledBackToSavepoint() {
    failed = false;
    dirty = wroteSources;
  }

  /** Whether a statement failed in the current transaction block, which is therefore aborted. */
  public boolean aborted() {
    return failed;
  }

  /** Whether maintenance is pending and can run: a write happened and the block is not aborted. */
  public boolean flushDue() {
    return dirty && !failed;
  }

  /** Call before the transaction commits (COMMIT, or JDBC commit()). */
  public void beforeCommit(SqlSession s) throws SQLException {
    if (flushDue()) {
      flush(s);
    }
  }

  /** Call when the transaction ended (committed, rolled back, or the autocommit statement done). */
  public void ended() {
    dirty = false;
    wroteSources = false;
    failed = false;
  }

  /** Applies the transaction's pending changes now, on {@code s}. */
  public void flush(SqlSession s) throws SQLException {
    ImmediateMaintenance.flush(s);
    dirty = false;
  }

  /** Forgets the catalog's list, after this connection created, altered or dropped a table. */
  public void invalidate() {
    tracked = null;
  }

  private static boolean needsFlushBefore(StatementClass c, Tracked t) {
    return switch (c.kind()) {
      case WRITE -> c.writesUnknown() || mentionsStreamTable(c, t);
      case BEGIN, SAVEPOINT, ROLLBACK, ROLLBACK_TO -> false;
      default -> true;
    };
  }

  private static boolean mentionsStreamTable(StatementClass c, Tracked t) {
    for (String name : t.streamTables()) {
      if (c.mentions(name)) {
        return true;
      }
    }
    return false;
  }

  private static boolean writesTracked(StatementClass c, Tracked t) {
    if (!c.mayWrite() || t.isEmpty()) {
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

  /**
   * The catalog's list. A role that cannot read the catalog (or a database without one) has no
   * IMMEDIATE tables to maintain: asking pg_catalog first keeps the read from failing, which would
   * abort the client's transaction.
   */
  private Tracked load(SqlSession s) throws SQLException {
    if (!catalogReadable) {
      catalogReadable = "t".equals(s.query(CATALOG_READABLE).get(0).text(0));
      if (!catalogReadable) {
        return NOTHING;
      }
    }
    Set<String> sources = new HashSet<>();
    Set<String> streamTables = new HashSet<>();
    for (Row r : s.query(TRACKED)) {
      (r.text(0).equals("s") ? sources : streamTables).add(r.text(1));
    }
    return new Tracked(sources, streamTables);
  }
}
