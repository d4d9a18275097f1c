package io.pgtrickle.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.pgtrickle.engine.immediate.ImmediateInterceptor;
import io.pgtrickle.engine.immediate.ImmediateMaintenance;
import io.pgtrickle.engine.session.SqlSession;
import io.pgtrickle.errors.PgTrickleException;
import io.pgtrickle.errors.SqlState;
import io.pgtrickle.server.protocol.BackendDecoder;
import io.pgtrickle.server.protocol.BackendMessages;
import io.pgtrickle.server.protocol.ClientEncodings;
import io.pgtrickle.server.protocol.Frame;
import io.pgtrickle.server.protocol.FrontendDecoder;
import io.pgtrickle.server.protocol.FrontendMessages;
import io.pgtrickle.server.protocol.MessageReader;
import io.pgtrickle.server.protocol.MessageTags.Backend;
import io.pgtrickle.server.protocol.MessageTags.Frontend;
import io.pgtrickle.server.protocol.MessageTags.TransactionStatus;
import io.pgtrickle.server.protocol.ProtocolViolationException;
import io.pgtrickle.server.protocol.SslResponse;
import io.pgtrickle.server.protocol.StartupPacket;
import io.pgtrickle.server.protocol.StartupPacket.CancelRequest;
import io.pgtrickle.server.protocol.StartupPacket.GssEncRequest;
import io.pgtrickle.server.protocol.StartupPacket.SslRequest;
import io.pgtrickle.server.protocol.StartupPacket.StartupMessage;
import io.pgtrickle.sql.api.ApiCall;
import io.pgtrickle.sql.api.ApiCallRecognizer;
import io.pgtrickle.sql.dml.StatementClass;
import io.pgtrickle.sql.dml.StatementClass.Kind;
import io.pgtrickle.sql.lex.Placeholders;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's session: the client channel's handler, which owns the upstream connection made for
 * it on the same event loop, so all of the session's state is touched by one thread only.
 *
 * <p>Messages pass through as they are (the decoded frame's bytes are written on, not copied), with
 * reads driven by the other side's writability, so a slow client slows the server's sending instead
 * of filling the proxy's memory. The proxy looks into a message only where it must act:
 *
 * <ul>
 *   <li>ReadyForQuery, to know the transaction status and when the server has answered everything;
 *   <li>a Query or Parse whose text mentions {@code pgtrickle}, to find API calls;
 *   <li>Bind, Execute and Close while API statements exist.
 * </ul>
 *
 * <p>An API call is carried out once the server has answered everything sent before it (a
 * <em>barrier</em>: client reads pause and later messages wait in {@link #held}). In the extended
 * protocol the proxy sends a Sync of its own to get there and hides its ReadyForQuery. The engine
 * then runs on an engine thread, speaking to the server through {@link WireSqlSession}, and the
 * client gets the reply a void function would give.
 *
 * <p>IMMEDIATE stream tables are maintained around the client's own statements (see {@link
 * ImmediateInterceptor}): pending maintenance runs before a statement that could read a stream
 * table, before COMMIT, and before the Sync that ends an implicit transaction, inside the client's
 * transaction; an autocommit Query that writes a source runs in a transaction of the proxy's with
 * its maintenance, and the client sees only its own replies. When maintenance must run in the
 * middle of an extended-protocol batch, the proxy waits for the replies with a Flush instead of a
 * Sync, so the client's implicit transaction stays open ({@link PendingReplies} tells when the
 * server has answered everything).
 */
final class ClientSession extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(ClientSession.class);

  private static final String MENTION = "pgtrickle";
  private static final String API_COMMAND_TAG = "SELECT 1";
  private static final int VOID_TYPE_SIZE = 4;

  /** How long a forwarded cancel request's connection waits for the other side to close it. */
  private static final Duration CANCEL_WAIT = Duration.ofSeconds(10);

  /** How much a client may send while it waits for an API call before reads stop. */
  private static final long MAX_HELD_BYTES = 1 << 20;

  private enum Phase {
    /** SSLRequest, GSSENCRequest, CancelRequest or StartupMessage expected. */
    STARTUP,
    /** Connecting to (and possibly negotiating TLS with) the upstream server. */
    CONNECTING,
    /** The server and client authenticate through us, until the first ReadyForQuery. */
    AUTHENTICATING,
    /** Queries flow. */
    READY,
    CLOSED
  }

  private final ProxyServer proxy;
  private final Channel client;
  private Channel upstream;
  private BackendDecoder upstreamDecoder;
  private Phase phase = Phase.STARTUP;
  private StartupMessage startup;
  private String database = "";

  /** Client messages that arrived while paused, in order. */
  private final ArrayDeque<Frame> held = new ArrayDeque<>();

  /** Whether client messages are held instead of processed. */
  private boolean paused;

  /** The size of the held messages. */
  private long heldBytes;

  /** What to do once the server has answered everything sent: the barrier's action. */
  private Runnable whenUpstreamIdle;

  /** The replies the server owes, in order. */
  private final PendingReplies pending = new PendingReplies();

  /** This connection's IMMEDIATE maintenance state. */
  private final ImmediateInterceptor immediate = new ImmediateInterceptor(Clock.systemUTC());

  /** What the client's prepared statements and portals do. */
  private final StatementClasses classes = new StatementClasses();

  /** Whether statements sent now run inside a transaction block, as far as the proxy can tell. */
  private boolean blockOpen;

  /** The last CommandComplete of a wrapped Query, held back until its transaction has ended. */
  private Frame withheldComplete;

  /** Whether CopyData, CopyDone and CopyFail pass while paused (a wrapped Query may be a COPY). */
  private boolean copyPassesPause;

  /** Whether the client's next Sync is answered here (its failed COMMIT was rolled back). */
  private boolean answerSyncHere;

  private long syncsSent;
  private long readiesReceived;
  private boolean errorInBatch;
  private boolean lastBatchFailed;
  private boolean discardUntilSync;
  private boolean upstreamSentFatal;
  private byte transactionStatus = TransactionStatus.IDLE;
  private Charset charset = StandardCharsets.UTF_8;
  private final ApiStatements api = new ApiStatements();

  /** The engine's exchange in flight on the upstream connection, or null. */
  private EngineExchange exchange;

  private ClientSession(ProxyServer proxy, Channel client) {
    this.proxy = proxy;
    this.client = client;
  }

  /** Sets up a newly accepted client channel. */
  static void install(SocketChannel ch, ProxyServer proxy) {
    ch.pipeline()
        .addLast(
            "frontend",
            new FrontendDecoder(
                proxy.config().maxFrameLength(), FrontendDecoder.DEFAULT_MAX_STARTUP_PACKET_LENGTH))
        .addLast("session", new ClientSession(proxy, ch));
  }

  // ---- client side ----

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    client.read();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (phase == Phase.CLOSED) {
      ReferenceCountUtil.release(msg);
    } else if (msg instanceof StartupPacket p) {
      onStartupPacket(p);
    } else if (msg instanceof Frame f) {
      if (paused && copyPassesPause && held.isEmpty() && isCopyData(f.type())) {
        toUpstream(f);
      } else if (paused || phase == Phase.CONNECTING) {
        held.add(f);
        heldBytes += f.length() + 1;
      } else {
        process(f);
      }
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (upstream != null) {
      upstream.flush();
    }
    maybeReadClient();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (client.isWritable() && upstream != null) {
      upstream.read();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closeAll();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ProtocolViolationException violation = findViolation(cause);
    if (violation != null) {
      LOG.info("client {} broke the protocol: {}", client.remoteAddress(), violation.getMessage());
      fatal(SqlState.PROTOCOL_VIOLATION, violation.getMessage(), null);
    } else if (cause instanceof java.io.IOException) {
      LOG.debug("client connection {} failed", client.remoteAddress(), cause);
      closeAll();
    } else {
      LOG.warn("session of client {} failed", client.remoteAddress(), cause);
      closeAll();
    }
  }

  private void onStartupPacket(StartupPacket packet) {
    if (packet instanceof SslRequest) {
      if (proxy.serverTls() == null) {
        client.writeAndFlush(BackendMessages.refuseEncryption(client.alloc()));
        return;
      }
      paused = true; // nothing may be read before the TLS handler is in place
      client
          .writeAndFlush(BackendMessages.acceptSsl(client.alloc()))
          .addListener(
              f -> {
                if (f.isSuccess() && phase == Phase.STARTUP) {
                  SslHandler tls = proxy.serverTls().newHandler(client.alloc());
                  client.pipeline().addFirst("tls", tls);
                  paused = false;
                  client.read();
                }
              });
    } else if (packet instanceof GssEncRequest) {
      client.writeAndFlush(BackendMessages.refuseEncryption(client.alloc()));
    } else if (packet instanceof CancelRequest cancel) {
      forwardCancel(cancel);
    } else if (packet instanceof StartupMessage message) {
      startup = message;
      Map<String, String> params = message.parameters();
      database = params.getOrDefault("database", params.getOrDefault("user", ""));
      phase = Phase.CONNECTING;
      connectUpstream();
    }
  }

  /**
   * Passes a cancel request on to the server on a connection of its own. The key is the server's
   * own (the proxy relays BackendKeyData untouched), so it reaches the client's backend. Like
   * libpq, the proxy then waits for the other side to close the connection (up to {@link
   * #CANCEL_WAIT}): a pooler such as PgBouncer drops a cancel whose connection closes before it has
   * passed the request on.
   */
  private void forwardCancel(CancelRequest cancel) {
    phase = Phase.CLOSED;
    proxy
        .upstreamBootstrap(client.eventLoop(), new ChannelInboundHandlerAdapter())
        .connect(proxy.config().upstreamHost(), proxy.config().upstreamPort())
        .addListener(
            (ChannelFutureListener)
                f -> {
                  if (f.isSuccess()) {
                    Channel ch = f.channel();
                    ch.writeAndFlush(
                        FrontendMessages.cancelRequest(
                            ch.alloc(), cancel.processId(), cancel.secretKey()));
                    ch.read(); // until the other side closes; anything it sends is dropped
                    ch.eventLoop()
                        .schedule(() -> ch.close(), CANCEL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
                  } else {
                    LOG.info("could not forward a cancel request: {}", f.cause().getMessage());
                  }
                });
    client.close();
  }

  private void connectUpstream() {
    ProxyConfig config = proxy.config();
    proxy
        .upstreamBootstrap(
            client.eventLoop(),
            new ChannelInitializer<SocketChannel>() {
              @Override
              protected void initChannel(SocketChannel ch) {
                upstreamDecoder = new BackendDecoder();
                ch.pipeline()
                    .addLast("backend", upstreamDecoder)
                    .addLast("upstream", new Upstream());
              }
            })
        .connect(config.upstreamHost(), config.upstreamPort())
        .addListener(
            (ChannelFutureListener)
                f -> {
                  if (!f.isSuccess()) {
                    fatal(
                        SqlState.CONNECTION_NOT_ESTABLISHED,
                        "could not connect to the upstream server "
                            + config.upstreamHost()
                            + ":"
                            + config.upstreamPort()
                            + ": "
                            + f.cause().getMessage(),
                        "Check that PostgreSQL is running and that the proxy's --upstream is"
                            + " right.");
                    return;
                  }
                  upstream = f.channel();
                  if (phase == Phase.CLOSED) {
                    upstream.close();
                  } else if (proxy.upstreamTls() != null) {
                    upstreamDecoder.expectSslResponse();
                    upstream.writeAndFlush(FrontendMessages.sslRequest(upstream.alloc()));
                    upstream.read();
                  } else {
                    sendStartup();
                  }
                });
  }

  private void onUpstreamSslResponse(SslResponse response) {
    if (response.accepted()) {
      ProxyConfig config = proxy.config();
      SslHandler tls =
          proxy
              .upstreamTls()
              .newHandler(upstream.alloc(), config.upstreamHost(), config.upstreamPort());
      upstream.pipeline().addFirst("tls", tls);
      tls.handshakeFuture()
          .addListener(
              f -> {
                if (f.isSuccess()) {
                  sendStartup();
                } else {
                  fatal(
                      SqlState.CONNECTION_NOT_ESTABLISHED,
                      "TLS handshake with the upstream server failed: " + f.cause().getMessage(),
                      "Check the upstream's certificate and the proxy's sslmode and sslrootcert.");
                }
              });
      upstream.read();
    } else if (proxy.config().upstreamSsl() == UpstreamSslMode.PREFER) {
      sendStartup();
    } else {
      fatal(
          SqlState.CONNECTION_NOT_ESTABLISHED,
          "the upstream server does not support SSL, but the proxy's sslmode requires it",
          "Enable ssl on the server or use sslmode=prefer or disable in --upstream.");
    }
  }

  private void sendStartup() {
    if (phase == Phase.CLOSED) {
      return;
    }
    StartupMessage message = startup;
    startup = null;
    phase = Phase.AUTHENTICATING;
    upstream.writeAndFlush(message.raw());
    upstream.read();
    resume();
  }

  /** Handles one client message, in order, when not paused. */
  private void process(Frame f) {
    try {
      dispatch(f);
    } catch (ProtocolViolationException e) {
      // A malformed message is found while reading it, before it is passed on or released; the
      // caller ends the session, but the frame is still ours to free.
      f.release();
      throw e;
    }
  }

  private void dispatch(Frame f) {
    if (phase == Phase.AUTHENTICATING) {
      toUpstream(f);
      return;
    }
    if (discardUntilSync) {
      // After an error in an extended-protocol batch, the server would ignore all until Sync.
      if (f.type() == Frontend.SYNC) {
        discardUntilSync = false;
        if (answerSyncHere) {
          answerSyncHere = false;
          f.release();
          client.write(BackendMessages.readyForQuery(client.alloc(), transactionStatus));
        } else {
          toUpstream(f);
        }
      } else {
        f.release();
      }
      return;
    }
    switch (f.type()) {
      case Frontend.QUERY -> onQuery(f);
      case Frontend.PARSE -> onParse(f);
      case Frontend.BIND -> onBind(f);
      case Frontend.EXECUTE -> onExecute(f);
      case Frontend.SYNC -> onSync(f);
      case Frontend.CLOSE -> {
        MessageReader.Target t = MessageReader.target(f.payload(), charset);
        classes.closed(t.kind(), t.name());
        if (!api.isEmpty()) {
          api.closed(t.kind(), t.name());
        }
        toUpstream(f);
      }
      case Frontend.TERMINATE -> {
        toUpstream(f);
        upstream.flush();
        closeAll();
      }
      default -> toUpstream(f);
    }
  }

  private void onQuery(Frame f) {
    String sql = MessageReader.query(f.payload(), charset);
    if (!MessageReader.mentions(f.payload(), MENTION)) {
      statement(f, immediate.classifyNow(sql), true);
      return;
    }
    ApiCall call = null;
    PgTrickleException rejected = null;
    try {
      Optional<ApiCall> recognized = ApiCallRecognizer.recognize(sql, false);
      if (recognized.isEmpty()) {
        statement(f, immediate.classifyNow(sql), true);
        return;
      }
      call = recognized.get();
    } catch (PgTrickleException e) {
      rejected = e;
    }
    f.release();
    ApiCall c = call;
    PgTrickleException r = rejected;
    barrier(false, () -> runApi(c, List.of(), r, true));
  }

  private void onParse(Frame f) {
    MessageReader.Parse parse = MessageReader.parse(f.payload(), charset);
    if (!MessageReader.mentions(f.payload(), MENTION)) {
      classes.parsed(parse.statement(), parse.query());
      if (!api.isEmpty()) {
        api.preparedOther(parse.statement());
      }
      toUpstream(f);
      return;
    }
    Optional<ApiCall> call;
    try {
      call = ApiCallRecognizer.recognize(parse.query(), false);
    } catch (PgTrickleException e) {
      f.release();
      barrier(true, () -> runApi(null, List.of(), e, false));
      return;
    }
    if (call.isEmpty()) {
      classes.parsed(parse.statement(), parse.query());
      api.preparedOther(parse.statement());
      toUpstream(f);
      return;
    }
    f.release();
    int[] types = parse.parameterTypes();
    classes.parsedApi(parse.statement());
    api.prepared(parse.statement(), call.get(), types);
    int parameters =
        Math.max(
            types.length,
            Math.max(call.get().maxParameterIndex(), Placeholders.maxNumbered(parse.query())));
    send(
        FrontendMessages.parse(
            upstream.alloc(),
            parse.statement(),
            ApiStatements.standIn(call.get(), parameters),
            types,
            charset),
        Frontend.PARSE,
        0);
  }

  private void onBind(Frame f) {
    String[] names = MessageReader.bindNames(f.payload(), charset);
    ApiStatements.Prepared statement = api.isEmpty() ? null : api.statement(names[1]);
    // A portal takes its snapshot at Bind: maintenance it must see runs before.
    if (statement == null && !prepared(f, classes.statement(names[1]), false)) {
      return;
    }
    classes.bound(names[0], names[1]);
    if (!api.isEmpty()) {
      if (statement != null) {
        api.bound(
            names[0], statement, MessageReader.bind(f.payload(), charset), charset, syncsSent);
      } else if (api.hasPortals()) {
        api.bound(names[0], null, null, charset, syncsSent);
      }
    }
    toUpstream(f);
  }

  private void onExecute(Frame f) {
    String portalName = MessageReader.executePortal(f.payload(), charset);
    if (api.hasPortals()) {
      ApiStatements.Portal portal = api.portal(portalName);
      if (portal != null) {
        f.release();
        barrier(true, () -> runApi(portal.call(), portal.values(), portal.error(), false));
        return;
      }
    }
    statement(f, classes.portal(portalName), false);
  }

  /** A Sync ends an implicit transaction: its pending maintenance runs first, inside it. */
  private void onSync(Frame f) {
    if (!pending.discarding() && !blockOpen && immediate.flushDue()) {
      engineStep(f, StatementClasses.UNKNOWN, false, immediate::flush);
      return;
    }
    toUpstream(f);
  }

  private void toUpstream(Frame f) {
    send(f.message(), f.type(), 0);
  }

  /** Sends a message upstream, noting the replies it will get. */
  private void send(ByteBuf message, byte type, int replyFlags) {
    if (type == Frontend.SYNC || type == Frontend.QUERY || type == Frontend.FUNCTION_CALL) {
      syncsSent++;
    }
    pending.sent(type, replyFlags);
    upstream.write(message);
  }

  /** Sends a Query of the proxy's own, whose replies the client does not see (but errors). */
  private void sendHidden(String sql) {
    send(
        FrontendMessages.query(upstream.alloc(), sql, charset),
        Frontend.QUERY,
        PendingReplies.HIDDEN);
  }

  private static boolean isCopyData(byte type) {
    return type == Frontend.COPY_DATA || type == Frontend.COPY_DONE || type == Frontend.COPY_FAIL;
  }

  /**
   * Pauses the client and runs {@code action} once the server has answered everything sent so far;
   * with {@code sync}, first ends the client's pending extended-protocol batch with a Sync of ours.
   */
  private void barrier(boolean sync, Runnable action) {
    paused = true;
    if (sync) {
      send(FrontendMessages.sync(upstream.alloc()), Frontend.SYNC, PendingReplies.HIDDEN);
    }
    quiesce(action);
  }

  /**
   * Pauses the client and runs {@code action} once the server has answered everything sent so far,
   * without ending the client's batch: a Flush makes the server send what it holds.
   */
  private void quiesce(Runnable action) {
    paused = true;
    if (pending.extendedOpen()) {
      upstream.write(FrontendMessages.flush(upstream.alloc()));
    }
    upstream.flush();
    if (pending.isEmpty()) {
      action.run();
    } else {
      whenUpstreamIdle = action;
      upstream.read();
    }
  }

  // ---- IMMEDIATE maintenance around client statements ----

  /** What the engine does on the client's connection for its maintenance. */
  @FunctionalInterface
  private interface EngineTask {
    void run(SqlSession s) throws SQLException;
  }

  /**
   * Runs the IMMEDIATE maintenance a statement needs before its snapshot is taken (before a Query,
   * or before the Bind of the extended protocol): the catalog's list read, or pending maintenance
   * applied. Such a step needs the server, so it runs on an engine thread, and then {@code f} is
   * processed again.
   *
   * @return whether {@code f} may go on now
   */
  private boolean prepared(Frame f, StatementClass c, boolean simple) {
    if (skipsMaintenance(simple)) {
      return true;
    }
    if (immediate.needsCatalog(c)) {
      engineStep(f, c, simple, immediate::loadCatalog);
      return false;
    }
    if (immediate.plan(c).flushFirst()) {
      engineStep(f, c, simple, immediate::flush);
      return false;
    }
    return true;
  }

  /**
   * Whether maintenance cannot run now: the transaction block is aborted, or the server skips the
   * rest of the extended-protocol batch after an error.
   */
  private boolean skipsMaintenance(boolean simple) {
    return (!simple && pending.discarding()) || immediate.aborted();
  }

  /**
   * Sends a client statement (a Query, or an Execute of the extended protocol) on, after the
   * IMMEDIATE maintenance it needs (see {@link #prepared}); an autocommit Query that writes a
   * source is wrapped in a transaction with its maintenance.
   */
  private void statement(Frame f, StatementClass c, boolean simple) {
    if (simple && !prepared(f, c, true)) {
      return;
    }
    boolean writesTracked = false;
    if (!skipsMaintenance(simple)) {
      writesTracked = immediate.plan(c).writesTracked();
      if (writesTracked && simple && !blockOpen) {
        if (c.kind() == Kind.WRITE) {
          wrap(f);
        } else {
          // Code that may commit on its own cannot run inside a transaction of ours.
          immediate.after(c, true);
          paused = true;
          send(f.message(), Frontend.QUERY, PendingReplies.CATCH_UP);
        }
        return;
      }
    }
    switch (c.kind()) {
      case BEGIN -> blockOpen = true;
      case COMMIT, ROLLBACK, PREPARE_TRANSACTION -> blockOpen = false;
      default -> {}
    }
    immediate.after(c, writesTracked);
    toUpstream(f);
  }

  /**
   * Quiesces, runs {@code task} on an engine thread over the client's connection, and then
   * processes {@code f} again, or answers it with the task's error.
   */
  private void engineStep(Frame f, StatementClass c, boolean simple, EngineTask task) {
    quiesce(
        () -> {
          if (skipsMaintenance(simple)) {
            // An earlier message failed meanwhile: the server skips the rest of the batch (the
            // engine's statements would get no answer) or the block is aborted. Go on without.
            held.addFirst(f);
            resume();
            return;
          }
          runEngine(
              pending.extendedOpen(),
              task,
              error -> {
                if (phase == Phase.CLOSED) {
                  f.release();
                } else if (error == null) {
                  held.addFirst(f);
                  resume();
                } else {
                  stepFailed(f, c, simple, error);
                }
              });
        });
  }

  /**
   * Answers a statement whose maintenance failed with the error, as PostgreSQL answers a statement
   * that failed: a failed COMMIT rolls the transaction back, like a deferred constraint's failure.
   */
  private void stepFailed(Frame f, StatementClass c, boolean simple, PgTrickleException error) {
    client.write(BackendMessages.errorResponse(client.alloc(), error));
    immediate.statementFailed();
    boolean commit = c.kind() == Kind.COMMIT;
    if (simple) {
      f.release();
      if (commit && transactionStatus != TransactionStatus.IDLE) {
        rollBackHere();
      }
      client.write(BackendMessages.readyForQuery(client.alloc(), transactionStatus));
    } else if (f.type() == Frontend.SYNC) {
      // The server skips all up to this Sync, which ends the batch (and rolls it back).
      held.addFirst(f);
    } else {
      f.release();
      discardUntilSync = true;
      if (commit) {
        send(FrontendMessages.sync(upstream.alloc()), Frontend.SYNC, PendingReplies.HIDDEN);
        rollBackHere();
        answerSyncHere = true;
      }
    }
    resume();
  }

  /** Rolls the client's transaction back with a statement of ours. */
  private void rollBackHere() {
    sendHidden("ROLLBACK");
    transactionStatus = TransactionStatus.IDLE;
    blockOpen = false;
    immediate.ended();
  }

  /**
   * Runs an autocommit Query that writes a source in a transaction of the proxy's: BEGIN (hidden),
   * the Query (its last CommandComplete and its ReadyForQuery held back), then, in {@link
   * #wrappedDone}, the maintenance and COMMIT, after which the client gets its replies as if the
   * statement had committed on its own.
   */
  private void wrap(Frame f) {
    paused = true;
    copyPassesPause = true;
    sendHidden("BEGIN");
    send(f.message(), Frontend.QUERY, PendingReplies.WRAPPED);
    upstream.flush();
    upstream.read();
  }

  /** The wrapped Query's ReadyForQuery came, with {@code status}. */
  private void wrappedDone(byte status) {
    copyPassesPause = false;
    if (status != TransactionStatus.IN_TRANSACTION) {
      // The statement failed, and the transaction must go; or it ended the transaction itself.
      if (status == TransactionStatus.FAILED) {
        releaseWithheld(false);
        rollBackHere();
      } else {
        releaseWithheld(true);
      }
      finishStatement(TransactionStatus.IDLE);
      return;
    }
    runEngine(
        false,
        s -> {
          try {
            immediate.flush(s);
            s.commit();
          } catch (SQLException e) {
            rollBackAfter(s, e);
            throw e;
          }
        },
        error -> {
          releaseWithheld(error == null);
          if (error != null) {
            client.write(BackendMessages.errorResponse(client.alloc(), error));
          }
          finishStatement(TransactionStatus.IDLE);
        });
  }

  /**
   * A Query that may have committed writes without their maintenance finished, idle: the stream
   * tables catch up in a transaction of the proxy's before the client hears the Query is done.
   */
  private void catchUp() {
    runEngine(
        false,
        s -> {
          s.begin();
          try {
            ImmediateMaintenance.catchUp(s, null);
            s.commit();
          } catch (SQLException e) {
            rollBackAfter(s, e);
            throw e;
          }
        },
        error -> {
          if (error != null && phase != Phase.CLOSED) {
            LOG.warn("IMMEDIATE maintenance after a client statement failed", error);
            client.write(
                BackendMessages.warning(
                    client.alloc(),
                    error.getSQLState(),
                    "IMMEDIATE maintenance after the statement failed: " + error.getMessage(),
                    "The statement's writes are committed; the stream tables catch up at their"
                        + " next maintenance or refresh."));
          }
          finishStatement(TransactionStatus.IDLE);
        });
  }

  /** Rolls back after {@code e} if a transaction is still open (a failed COMMIT ended it). */
  private static void rollBackAfter(SqlSession s, SQLException e) throws SQLException {
    if (s.inTransaction()) {
      s.rollbackAfter(e);
    }
  }

  /** Sends the held-back CommandComplete on ({@code send}), or drops it. */
  private void releaseWithheld(boolean send) {
    Frame f = withheldComplete;
    withheldComplete = null;
    if (f == null) {
      return;
    }
    if (send) {
      client.write(f.message());
    } else {
      f.release();
    }
  }

  /** Ends a statement the proxy finished: its ReadyForQuery, then the client's next messages. */
  private void finishStatement(byte status) {
    if (phase == Phase.CLOSED) {
      return;
    }
    transactionStatus = status;
    blockOpen = false;
    immediate.ended();
    client.write(BackendMessages.readyForQuery(client.alloc(), status));
    resume();
  }

  /**
   * Runs {@code task} on an engine thread over the client's upstream connection, then {@code done}
   * on the event loop with the error, or null.
   *
   * @param pipelined whether the client's extended-protocol batch is open (see {@link
   *     WireSqlSession})
   */
  private void runEngine(boolean pipelined, EngineTask task, Consumer<PgTrickleException> done) {
    boolean inTransaction = blockOpen || transactionStatus != TransactionStatus.IDLE;
    onEngine(
        () ->
            ApiCallRunner.guard(
                () -> task.run(new WireSqlSession(new Link(), inTransaction, pipelined)),
                "IMMEDIATE maintenance"),
        done);
  }

  /**
   * Runs {@code work} on an engine thread, then {@code done} on the event loop with the error it
   * returned (or null), even if the session ended meanwhile (so {@code done} can free what it
   * holds). Reading the client goes on.
   */
  private void onEngine(Supplier<PgTrickleException> work, Consumer<PgTrickleException> done) {
    try {
      proxy
          .engine()
          .execute(
              () -> {
                PgTrickleException error = work.get();
                client.eventLoop().execute(() -> done.accept(error));
              });
      maybeReadClient();
    } catch (RejectedExecutionException e) {
      done.accept(
          PgTrickleException.of(SqlState.ADMIN_SHUTDOWN, "the pg_trickle proxy is shutting down"));
    }
  }

  /**
   * Carries out an API call, or reports why it cannot run, once the server is idle.
   *
   * @param call the call, or null when {@code rejected} says why it could not be recognised
   * @param simple whether it came in a Query (else an Execute of the extended protocol)
   */
  private void runApi(
      ApiCall call, List<Object> values, PgTrickleException rejected, boolean simple) {
    if (!simple && lastBatchFailed) {
      // An earlier message of the batch failed: the server would skip this Execute.
      discardUntilSync = true;
      resume();
      return;
    }
    if (transactionStatus == TransactionStatus.FAILED) {
      PgTrickleException aborted =
          PgTrickleException.of(
              SqlState.IN_FAILED_SQL_TRANSACTION,
              "current transaction is aborted, commands ignored until end of transaction block");
      apiFinished(aborted, simple, null);
      return;
    }
    boolean inTransaction = transactionStatus != TransactionStatus.IDLE;
    String db = database;
    onEngine(
        () -> ApiCallRunner.run(proxy, new Link(), call, values, rejected, inTransaction, db),
        error -> apiFinished(error, simple, call == null ? null : call.resultColumn()));
  }

  /** Back on the event loop: answers the client as a void function would, or with the error. */
  private void apiFinished(PgTrickleException error, boolean simple, String column) {
    if (phase == Phase.CLOSED) {
      return;
    }
    // The call may have created, altered or dropped an IMMEDIATE stream table.
    immediate.invalidate();
    ByteBufAllocator alloc = client.alloc();
    if (error == null) {
      if (simple) {
        client.write(
            BackendMessages.rowDescription(
                alloc, column, BackendMessages.VOID_OID, VOID_TYPE_SIZE));
      }
      client.write(BackendMessages.dataRow(alloc, (String) null));
      client.write(BackendMessages.commandComplete(alloc, API_COMMAND_TAG));
    } else {
      client.write(BackendMessages.errorResponse(alloc, error));
      if (!simple) {
        discardUntilSync = true;
      }
    }
    if (simple) {
      client.write(BackendMessages.readyForQuery(alloc, transactionStatus));
    }
    resume();
  }

  /** Ends a barrier: processes held messages in order until one pauses again, then reads on. */
  private void resume() {
    paused = false;
    Frame f;
    try {
      while (!paused && phase != Phase.CLOSED && (f = held.poll()) != null) {
        heldBytes -= f.length() + 1;
        process(f);
      }
    } catch (ProtocolViolationException e) {
      // Held messages are the client's, whichever channel's event brought us here.
      LOG.info("client {} broke the protocol: {}", client.remoteAddress(), e.getMessage());
      fatal(SqlState.PROTOCOL_VIOLATION, e.getMessage(), null);
      return;
    }
    if (upstream != null) {
      upstream.flush();
    }
    client.flush();
    maybeReadClient();
  }

  private void maybeReadClient() {
    if (phase == Phase.CLOSED || phase == Phase.CONNECTING) {
      return;
    }
    if (paused) {
      // Reading on while an API call runs lets a client's disconnect end the call (and roll it
      // back) at once; what it sends meanwhile is held, up to a bound.
      if (phase == Phase.READY
          && whenUpstreamIdle == null
          && heldBytes < MAX_HELD_BYTES
          && client.isActive()) {
        client.read();
      }
      return;
    }
    if (upstream == null || upstream.isWritable()) {
      client.read();
    }
  }

  // ---- upstream side ----

  /** The upstream channel's handler; runs on the same event loop as the client's. */
  private final class Upstream extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (phase == Phase.CLOSED) {
        ReferenceCountUtil.release(msg);
      } else if (msg instanceof SslResponse r) {
        onUpstreamSslResponse(r);
      } else if (msg instanceof Frame f) {
        if (exchange != null) {
          onExchangeFrame(f);
        } else {
          onUpstreamFrame(f);
        }
      } else {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      client.flush();
      if (client.isWritable() || exchange != null) {
        ctx.read();
      }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      maybeReadClient();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (exchange != null) {
        EngineExchange lost = exchange;
        exchange = null;
        lost.fail(
            PgTrickleException.of(
                SqlState.CONNECTION_FAILURE, "the connection to the upstream server was lost"));
      }
      if (phase != Phase.CLOSED && !upstreamSentFatal) {
        fatal(
            SqlState.CONNECTION_FAILURE,
            "the upstream server closed the connection unexpectedly",
            "The server may have restarted; reconnect.");
      } else {
        closeAll();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ProtocolViolationException violation = findViolation(cause);
      String message =
          violation != null
              ? "the upstream server broke the protocol: " + violation.getMessage()
              : "the connection to the upstream server failed: " + cause.getMessage();
      LOG.info(message);
      fatal(
          violation != null ? SqlState.PROTOCOL_VIOLATION : SqlState.CONNECTION_FAILURE,
          message,
          null);
    }
  }

  private void onUpstreamFrame(Frame f) {
    try {
      relay(f);
    } catch (ProtocolViolationException e) {
      // As for client messages: found while reading, before the frame was passed on.
      f.release();
      throw e;
    }
  }

  private void relay(Frame f) {
    byte type = f.type();
    int flags = pending.received(type);
    switch (type) {
      case Backend.READY_FOR_QUERY -> {
        onReadyForQuery(f, flags);
        return;
      }
      case Backend.ERROR_RESPONSE -> {
        errorInBatch = true;
        immediate.statementFailed();
        String severity = MessageReader.fields(f.payload()).get('V');
        upstreamSentFatal |= "FATAL".equals(severity) || "PANIC".equals(severity);
      }
      case Backend.PARAMETER_STATUS -> onParameterStatus(f);
      default -> {}
    }
    if ((flags & PendingReplies.HIDDEN) != 0 && type != Backend.ERROR_RESPONSE) {
      f.release();
    } else if ((flags & PendingReplies.WRAPPED) != 0 && type == Backend.COMMAND_COMPLETE) {
      releaseWithheld(true);
      withheldComplete = f;
    } else {
      if ((flags & PendingReplies.WRAPPED) != 0) {
        releaseWithheld(true);
      }
      client.write(f.message());
    }
    whenIdle();
  }

  private void onReadyForQuery(Frame f, int flags) {
    byte status = MessageReader.readyForQueryStatus(f.payload());
    transactionStatus = status;
    if (phase == Phase.AUTHENTICATING) {
      phase = Phase.READY;
      client.write(f.message());
      return;
    }
    readiesReceived++;
    lastBatchFailed = errorInBatch;
    errorInBatch = false;
    if (status == TransactionStatus.IDLE) {
      api.transactionEnded(readiesReceived);
    }
    if (pending.isEmpty()) {
      // Nothing sent since: the status is the one the next statement runs in.
      blockOpen = status != TransactionStatus.IDLE;
      switch (status) {
        case TransactionStatus.IDLE -> {
          immediate.ended();
          classes.transactionEnded();
        }
        case TransactionStatus.FAILED -> immediate.statementFailed();
        default -> {}
      }
    }
    if ((flags & PendingReplies.WRAPPED) != 0) {
      f.release();
      client.flush();
      wrappedDone(status);
    } else if ((flags & PendingReplies.CATCH_UP) != 0 && status == TransactionStatus.IDLE) {
      f.release();
      client.flush();
      catchUp();
    } else if ((flags & PendingReplies.HIDDEN) != 0) {
      f.release();
    } else {
      client.write(f.message());
      if ((flags & PendingReplies.CATCH_UP) != 0) {
        resume();
      }
    }
    whenIdle();
  }

  /** Runs the barrier's action once the server has answered everything sent. */
  private void whenIdle() {
    if (pending.isEmpty() && whenUpstreamIdle != null) {
      Runnable action = whenUpstreamIdle;
      whenUpstreamIdle = null;
      client.flush();
      action.run();
    }
  }

  private void onParameterStatus(Frame f) {
    String[] nameValue = MessageReader.parameterStatus(f.payload());
    if (nameValue[0].equals("client_encoding")) {
      charset = ClientEncodings.charset(nameValue[1]);
    }
  }

  // ---- the engine's exchanges ----

  /** The engine's side of the upstream connection; its methods run on engine threads. */
  private final class Link implements UpstreamLink {
    @Override
    public EngineReply exchange(Function<ByteBufAllocator, List<ByteBuf>> messages, int replies)
        throws SQLException {
      CompletableFuture<EngineReply> done = new CompletableFuture<>();
      client.eventLoop().execute(() -> startExchange(messages, replies, done));
      try {
        return done.get();
      } catch (ExecutionException e) {
        if (e.getCause() instanceof SQLException se) {
          throw se;
        }
        throw new SQLException("the engine's exchange failed", e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw PgTrickleException.of(
            SqlState.ADMIN_SHUTDOWN, "the pg_trickle proxy is shutting down");
      }
    }

    @Override
    public Charset charset() {
      return charset;
    }
  }

  /** A server message while the engine owns the connection. */
  private void onExchangeFrame(Frame f) {
    try {
      switch (f.type()) {
        case Backend.PARAMETER_STATUS, Backend.NOTIFICATION_RESPONSE -> {
          // Session facts and notifications are the client's, whoever caused them.
          if (f.type() == Backend.PARAMETER_STATUS) {
            onParameterStatus(f);
          }
          client.write(f.retain().message());
        }
        case Backend.READY_FOR_QUERY -> {
          transactionStatus = MessageReader.readyForQueryStatus(f.payload());
          EngineExchange finished = exchange;
          exchange = null;
          finished.complete(transactionStatus);
        }
        default -> {
          if (exchange.collect(f, charset)) {
            EngineExchange finished = exchange;
            exchange = null;
            finished.complete(transactionStatus);
          }
        }
      }
    } finally {
      f.release();
    }
  }

  private void startExchange(
      Function<ByteBufAllocator, List<ByteBuf>> messages,
      int replies,
      CompletableFuture<EngineReply> done) {
    if (upstream == null || !upstream.isActive() || phase == Phase.CLOSED) {
      done.completeExceptionally(
          PgTrickleException.of(
              SqlState.CONNECTION_FAILURE, "the connection to the upstream server was lost"));
      return;
    }
    exchange = new EngineExchange(done, replies);
    for (ByteBuf b : messages.apply(upstream.alloc())) {
      upstream.write(b);
    }
    upstream.flush();
    upstream.read();
  }

  // ---- ending ----

  /** Ends the session because the proxy is stopping. */
  void shutdown() {
    fatal(
        SqlState.ADMIN_SHUTDOWN,
        "terminating connection because the pg_trickle proxy is shutting down",
        null);
  }

  /** Sends the client a FATAL error, if it is still there, and ends the session. */
  private void fatal(SqlState state, String message, String hint) {
    if (phase == Phase.CLOSED) {
      return;
    }
    if (client.isActive()) {
      client
          .writeAndFlush(BackendMessages.fatalResponse(client.alloc(), state.code(), message, hint))
          .addListener(ChannelFutureListener.CLOSE);
    }
    closeAll();
  }

  private void closeAll() {
    if (phase == Phase.CLOSED && held.isEmpty() && startup == null) {
      closeChannels();
      return;
    }
    phase = Phase.CLOSED;
    Frame f;
    while ((f = held.poll()) != null) {
      f.release();
    }
    releaseWithheld(false);
    if (startup != null) {
      startup.release();
      startup = null;
    }
    closeChannels();
  }

  private void closeChannels() {
    if (upstream != null && upstream.isActive()) {
      upstream.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
    if (client.isActive()) {
      client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }

  private static ProtocolViolationException findViolation(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof ProtocolViolationException v) {
        return v;
      }
    }
    return null;
  }
}
