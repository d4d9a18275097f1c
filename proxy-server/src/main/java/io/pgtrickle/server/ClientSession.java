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
import io.pgtrickle.sql.lex.Placeholders;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
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
 */
final class ClientSession extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(ClientSession.class);

  private static final String MENTION = "pgtrickle";
  private static final String API_COMMAND_TAG = "SELECT 1";
  private static final int VOID_TYPE_SIZE = 4;

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

  /** What to do once the server owes no ReadyForQuery: the barrier's action. */
  private Runnable whenUpstreamIdle;

  /** ReadyForQuery messages the server still owes (for Sync, Query and FunctionCall). */
  private int pendingReady;

  /** Whether the last ReadyForQuery owed answers a Sync of the proxy's, not the client's. */
  private boolean swallowReady;

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
      if (paused || phase == Phase.CONNECTING) {
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
    } else {
      LOG.debug("client connection {} failed", client.remoteAddress(), cause);
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
   * own (the proxy relays BackendKeyData untouched), so it reaches the client's backend.
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
                    f.channel()
                        .writeAndFlush(
                            FrontendMessages.cancelRequest(
                                f.channel().alloc(), cancel.processId(), cancel.secretKey()))
                        .addListener(ChannelFutureListener.CLOSE);
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
        toUpstreamCounted(f);
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
      case Frontend.CLOSE -> {
        if (!api.isEmpty()) {
          MessageReader.Target t = MessageReader.target(f.payload(), charset);
          api.closed(t.kind(), t.name());
        }
        toUpstream(f);
      }
      case Frontend.SYNC, Frontend.FUNCTION_CALL -> toUpstreamCounted(f);
      case Frontend.TERMINATE -> {
        toUpstream(f);
        upstream.flush();
        closeAll();
      }
      default -> toUpstream(f);
    }
  }

  private void onQuery(Frame f) {
    if (!MessageReader.mentions(f.payload(), MENTION)) {
      toUpstreamCounted(f);
      return;
    }
    String sql = MessageReader.query(f.payload(), charset);
    ApiCall call = null;
    PgTrickleException rejected = null;
    try {
      Optional<ApiCall> recognized = ApiCallRecognizer.recognize(sql, false);
      if (recognized.isEmpty()) {
        toUpstreamCounted(f);
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
    if (!MessageReader.mentions(f.payload(), MENTION)) {
      if (!api.isEmpty()) {
        api.preparedOther(MessageReader.parse(f.payload(), charset).statement());
      }
      toUpstream(f);
      return;
    }
    MessageReader.Parse parse = MessageReader.parse(f.payload(), charset);
    Optional<ApiCall> call;
    try {
      call = ApiCallRecognizer.recognize(parse.query(), false);
    } catch (PgTrickleException e) {
      f.release();
      barrier(true, () -> runApi(null, List.of(), e, false));
      return;
    }
    if (call.isEmpty()) {
      api.preparedOther(parse.statement());
      toUpstream(f);
      return;
    }
    f.release();
    int[] types = parse.parameterTypes();
    api.prepared(parse.statement(), call.get(), types);
    int parameters =
        Math.max(
            types.length,
            Math.max(call.get().maxParameterIndex(), Placeholders.maxNumbered(parse.query())));
    upstream.write(
        FrontendMessages.parse(
            upstream.alloc(),
            parse.statement(),
            ApiStatements.standIn(call.get(), parameters),
            types,
            charset));
  }

  private void onBind(Frame f) {
    if (!api.isEmpty()) {
      String[] names = MessageReader.bindNames(f.payload(), charset);
      ApiStatements.Prepared statement = api.statement(names[1]);
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
    if (api.hasPortals()) {
      ApiStatements.Portal portal = api.portal(MessageReader.executePortal(f.payload(), charset));
      if (portal != null) {
        f.release();
        barrier(true, () -> runApi(portal.call(), portal.values(), portal.error(), false));
        return;
      }
    }
    toUpstream(f);
  }

  private void toUpstream(Frame f) {
    upstream.write(f.message());
  }

  /** Forwards a message the server answers with ReadyForQuery. */
  private void toUpstreamCounted(Frame f) {
    syncsSent++;
    pendingReady++;
    upstream.write(f.message());
  }

  /**
   * Pauses the client and runs {@code action} once the server has answered everything sent so far;
   * with {@code sync}, first ends the client's pending extended-protocol batch with a Sync of ours.
   */
  private void barrier(boolean sync, Runnable action) {
    paused = true;
    if (sync) {
      syncsSent++;
      pendingReady++;
      swallowReady = true;
      upstream.write(FrontendMessages.sync(upstream.alloc()));
    }
    upstream.flush();
    if (pendingReady == 0) {
      action.run();
    } else {
      whenUpstreamIdle = action;
      upstream.read();
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
    try {
      proxy
          .engine()
          .execute(
              () -> {
                PgTrickleException error =
                    ApiCallRunner.run(proxy, new Link(), call, values, rejected, inTransaction, db);
                client
                    .eventLoop()
                    .execute(
                        () ->
                            apiFinished(error, simple, call == null ? null : call.resultColumn()));
              });
      maybeReadClient();
    } catch (RejectedExecutionException e) {
      apiFinished(
          PgTrickleException.of(SqlState.ADMIN_SHUTDOWN, "the pg_trickle proxy is shutting down"),
          simple,
          null);
    }
  }

  /** Back on the event loop: answers the client as a void function would, or with the error. */
  private void apiFinished(PgTrickleException error, boolean simple, String column) {
    if (phase == Phase.CLOSED) {
      return;
    }
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
    switch (f.type()) {
      case Backend.READY_FOR_QUERY -> onReadyForQuery(f);
      case Backend.ERROR_RESPONSE -> {
        errorInBatch = true;
        String severity = MessageReader.fields(f.payload()).get('V');
        upstreamSentFatal |= "FATAL".equals(severity) || "PANIC".equals(severity);
        client.write(f.message());
      }
      case Backend.PARAMETER_STATUS -> {
        onParameterStatus(f);
        client.write(f.message());
      }
      default -> client.write(f.message());
    }
  }

  private void onReadyForQuery(Frame f) {
    byte status = MessageReader.readyForQueryStatus(f.payload());
    transactionStatus = status;
    if (phase == Phase.AUTHENTICATING) {
      phase = Phase.READY;
      client.write(f.message());
      return;
    }
    pendingReady--;
    readiesReceived++;
    lastBatchFailed = errorInBatch;
    errorInBatch = false;
    if (status == TransactionStatus.IDLE) {
      api.transactionEnded(readiesReceived);
    }
    if (swallowReady && pendingReady == 0) {
      swallowReady = false;
      f.release();
    } else {
      client.write(f.message());
    }
    if (pendingReady == 0 && whenUpstreamIdle != null) {
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
    public EngineReply exchange(Function<ByteBufAllocator, List<ByteBuf>> messages)
        throws SQLException {
      CompletableFuture<EngineReply> done = new CompletableFuture<>();
      client.eventLoop().execute(() -> startExchange(messages, done));
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
        default -> exchange.collect(f, charset);
      }
    } finally {
      f.release();
    }
  }

  private void startExchange(
      Function<ByteBufAllocator, List<ByteBuf>> messages, CompletableFuture<EngineReply> done) {
    if (upstream == null || !upstream.isActive() || phase == Phase.CLOSED) {
      done.completeExceptionally(
          PgTrickleException.of(
              SqlState.CONNECTION_FAILURE, "the connection to the upstream server was lost"));
      return;
    }
    exchange = new EngineExchange(done);
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
