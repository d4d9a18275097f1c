package io.pgtrickle.server;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.netty.buffer.ByteBuf;
import io.pgtrickle.engine.session.Row;
import io.pgtrickle.engine.session.SqlSession;
import io.pgtrickle.errors.PgTrickleException;
import io.pgtrickle.errors.SqlState;
import io.pgtrickle.server.protocol.FrontendMessages;
import io.pgtrickle.server.protocol.MessageReader;
import io.pgtrickle.sql.lex.Placeholders;
import io.pgtrickle.sql.lex.Statements;
import java.nio.charset.Charset;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;

/**
 * A {@link SqlSession} speaking the wire protocol on a client's upstream connection, so API calls
 * made through the proxy run on the caller's backend, in the caller's transaction.
 *
 * <p>Every statement goes through the extended protocol with text parameters, followed by Sync, as
 * a statement and portal of the engine's own name, closed again in the same exchange: the client's
 * unnamed statement and portal survive it, nothing outlives the exchange (which keeps it safe
 * behind a transaction-pooling PgBouncer), and a statement string can never smuggle in a second
 * statement. Each exchange first closes that name, in case a failed exchange left it open (a portal
 * lives on in an aborted transaction, and would refuse a Bind of the same name).
 *
 * <p>A <em>pipelined</em> session runs inside the client's extended-protocol batch, whose implicit
 * transaction a Sync would end: its statements end with Flush instead. After an error the server
 * skips everything until the client's Sync, so such a session refuses further statements.
 */
final class WireSqlSession implements SqlSession {
  private static final int[] NO_TYPES = new int[0];

  private static final byte STATEMENT = 'S';
  private static final byte PORTAL = 'P';

  /** The name of the engine's statement and portal. */
  private static final String NAME = "pgtrickle_engine";

  /** The messages sent for one statement, each answered by one completion message. */
  private static final int MESSAGES_PER_STATEMENT = 7;

  /**
   * What to send for each of the engine's statements: the statement with its markers numbered, or a
   * script's statements. The engine's statements are few and fixed, so each is lexed once.
   */
  private static final Cache<String, List<String>> TO_SEND =
      Caffeine.newBuilder().maximumSize(2_000).build();

  private final UpstreamLink link;
  private final boolean pipelined;
  private boolean inTransaction;
  private boolean failed;

  /**
   * A session over {@code link} whose statements end with Sync.
   *
   * @param inTransaction whether the client's connection is inside a transaction block now
   */
  WireSqlSession(UpstreamLink link, boolean inTransaction) {
    this(link, inTransaction, false);
  }

  /**
   * A session over {@code link}.
   *
   * @param inTransaction whether the client's connection is inside a transaction block now
   * @param pipelined whether to end statements with Flush, inside the client's open batch
   */
  WireSqlSession(UpstreamLink link, boolean inTransaction, boolean pipelined) {
    this.link = link;
    this.inTransaction = inTransaction || pipelined;
    this.pipelined = pipelined;
  }

  @Override
  public boolean maintainsImmediate() {
    return true;
  }

  @Override
  public List<Row> query(String sql, Object... params) throws SQLException {
    return run(statements(sql, params)).rows();
  }

  @Override
  public long update(String sql, Object... params) throws SQLException {
    return rowCount(run(statements(sql, params)));
  }

  @Override
  public List<Row> rawQuery(String sql) throws SQLException {
    return run(List.of(new Statement(sql, List.of()))).rows();
  }

  @Override
  public long rawUpdate(String sql) throws SQLException {
    return rowCount(run(List.of(new Statement(sql, List.of()))));
  }

  /** Every statement's messages, then one Sync (or Flush): one exchange for the whole list. */
  @Override
  public void updateAll(List<Update> updates) throws SQLException {
    if (updates.isEmpty()) {
      return;
    }
    List<Statement> out = new ArrayList<>(updates.size());
    for (Update u : updates) {
      List<Statement> parts = statements(u.sql(), u.params().toArray());
      if (parts.size() != 1) {
        throw new IllegalArgumentException("updateAll takes one statement per Update: " + u.sql());
      }
      out.add(parts.get(0));
    }
    run(out);
  }

  @Override
  public boolean inTransaction() {
    return inTransaction;
  }

  @Override
  public void begin() throws SQLException {
    rawUpdate("BEGIN");
  }

  @Override
  public void commit() throws SQLException {
    EngineReply reply = run(List.of(new Statement("COMMIT", List.of())));
    if ("ROLLBACK".equals(reply.commandTag())) {
      // COMMIT of a failed block rolls back without an error; the engine must hear of it.
      throw PgTrickleException.builder(
              SqlState.IN_FAILED_SQL_TRANSACTION, "the transaction was rolled back, not committed")
          .raisedByServer()
          .build();
    }
  }

  @Override
  public void rollback() throws SQLException {
    rawUpdate("ROLLBACK");
  }

  private record Statement(String sql, List<String> params) {}

  /**
   * The statements to send: a script of several statements (the catalog migrations) is split, as
   * pgjdbc splits it, and then takes no parameters.
   */
  private static List<Statement> statements(String sql, Object... params) throws SQLException {
    List<String> texts = new ArrayList<>(params.length);
    for (Object p : params) {
      texts.add(p == null ? null : p.toString());
    }
    List<String> parts = toSend(sql);
    if (parts.size() == 1) {
      return List.of(new Statement(parts.get(0), texts));
    }
    if (params.length > 0) {
      throw new IllegalArgumentException("a script of several statements cannot take parameters");
    }
    List<Statement> out = new ArrayList<>(parts.size());
    for (String part : parts) {
      out.add(new Statement(part, List.of()));
    }
    return out;
  }

  private static List<String> toSend(String sql) throws SQLException {
    try {
      return TO_SEND.get(
          sql,
          s -> {
            List<String> parts = Statements.split(s);
            if (parts.size() > 1) {
              return parts;
            }
            try {
              return List.of(Placeholders.toNumbered(s));
            } catch (PgTrickleException e) {
              throw new CompletionException(e);
            }
          });
    } catch (CompletionException e) {
      throw (SQLException) e.getCause();
    }
  }

  private EngineReply run(List<Statement> statements) throws SQLException {
    if (failed) {
      throw PgTrickleException.of(
          SqlState.IN_FAILED_SQL_TRANSACTION,
          "current transaction is aborted, commands ignored until end of transaction block");
    }
    Charset cs = link.charset();
    EngineReply reply =
        link.exchange(
            alloc -> {
              List<ByteBuf> out = new ArrayList<>(statements.size() * 3 + 1);
              try {
                for (Statement st : statements) {
                  out.add(FrontendMessages.close(alloc, PORTAL, NAME, cs));
                  out.add(FrontendMessages.close(alloc, STATEMENT, NAME, cs));
                  out.add(FrontendMessages.parse(alloc, NAME, st.sql(), NO_TYPES, cs));
                  out.add(FrontendMessages.bind(alloc, NAME, NAME, st.params(), cs));
                  out.add(FrontendMessages.execute(alloc, NAME, cs));
                  out.add(FrontendMessages.close(alloc, PORTAL, NAME, cs));
                  out.add(FrontendMessages.close(alloc, STATEMENT, NAME, cs));
                }
                out.add(pipelined ? FrontendMessages.flush(alloc) : FrontendMessages.sync(alloc));
                return out;
              } catch (RuntimeException e) {
                out.forEach(ByteBuf::release);
                throw e;
              }
            },
            pipelined ? statements.size() * MESSAGES_PER_STATEMENT : -1);
    if (!pipelined) {
      inTransaction = reply.inTransaction();
    }
    if (reply.error() != null) {
      failed = pipelined;
      throw reply.exception();
    }
    return reply;
  }

  private static long rowCount(EngineReply reply) {
    String tag = reply.commandTag();
    return tag == null ? 0 : MessageReader.rowCount(tag);
  }
}
