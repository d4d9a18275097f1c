package io.pgtrickle.server;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL wire-protocol proxy: accepts clients, gives each its own connection to the
 * upstream server on the same event loop, passes the protocol through, and carries out pg_trickle
 * API calls on the client's connection.
 */
public final class ProxyServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ProxyServer.class);

  private final ProxyConfig config;
  private final EventLoopGroup acceptGroup;
  private final EventLoopGroup ioGroup;
  private final ExecutorService engine;
  private final SslContext serverTls;
  private final SslContext upstreamTls;
  private final ChannelGroup clients = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final Set<String> catalogsChecked = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();
  private Channel listener;

  private ProxyServer(ProxyConfig config) throws IOException {
    this.config = config;
    this.serverTls =
        config.tlsCert() == null
            ? null
            : SslContextBuilder.forServer(config.tlsCert().toFile(), config.tlsKey().toFile())
                .build();
    this.upstreamTls = upstreamSslContext(config);
    this.acceptGroup =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("pgtrickle-accept", true), NioIoHandler.newFactory());
    this.ioGroup =
        new MultiThreadIoEventLoopGroup(
            ioThreads(), new DefaultThreadFactory("pgtrickle-io", true), NioIoHandler.newFactory());
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            config.engineThreads(),
            config.engineThreads(),
            60,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            new DefaultThreadFactory("pgtrickle-engine", true));
    pool.allowCoreThreadTimeOut(true);
    this.engine = pool;
  }

  /**
   * One event loop per core, not Netty's two: a client's messages and its upstream's replies are
   * handled on one loop, and with fewer loops each wake-up finds more sessions ready. Under pgbench
   * -S on two cores, two loops gave 4-23 % more throughput than four in 6 of 8 paired runs, and
   * used less CPU per transaction in 7 of 8 (docs/BENCHMARKS.md, "Proxy cost"). Netty's {@code
   * io.netty.eventLoopThreads} property, when given, still decides.
   */
  private static int ioThreads() {
    return System.getProperty("io.netty.eventLoopThreads") != null
        ? 0
        : Runtime.getRuntime().availableProcessors();
  }

  /** Starts a proxy and returns once it accepts connections. */
  public static ProxyServer start(ProxyConfig config) throws IOException, InterruptedException {
    ProxyServer server = new ProxyServer(config);
    try {
      server.bind();
    } catch (IOException | InterruptedException | RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  private void bind() throws IOException, InterruptedException {
    ServerBootstrap b =
        new ServerBootstrap()
            .group(acceptGroup, ioGroup)
            .channel(NioServerSocketChannel.class)
            .childOption(ChannelOption.AUTO_READ, false)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    clients.add(ch);
                    ClientSession.install(ch, ProxyServer.this);
                  }
                });
    io.netty.channel.ChannelFuture f = b.bind(config.listen()).await();
    if (!f.isSuccess()) {
      throw new IOException(
          "could not listen on " + config.listen() + ": " + f.cause().getMessage(), f.cause());
    }
    listener = f.channel();
    LOG.info(
        "listening on {}, forwarding to {}:{}",
        address(),
        config.upstreamHost(),
        config.upstreamPort());
  }

  private static SslContext upstreamSslContext(ProxyConfig config) throws IOException {
    SslContextBuilder b = SslContextBuilder.forClient();
    switch (config.upstreamSsl()) {
      case DISABLE -> {
        return null;
      }
      case PREFER, REQUIRE -> b.trustManager(InsecureTrustManagerFactory.INSTANCE);
      case VERIFY_FULL -> {
        if (config.upstreamRootCert() != null) {
          b.trustManager(config.upstreamRootCert().toFile());
        }
        b.endpointIdentificationAlgorithm("HTTPS");
      }
    }
    return b.build();
  }

  /** The address clients connect to. */
  public InetSocketAddress address() {
    return (InetSocketAddress) listener.localAddress();
  }

  /** The configuration it runs with. */
  public ProxyConfig config() {
    return config;
  }

  /** A bootstrap for a connection to the upstream server on the client's event loop. */
  Bootstrap upstreamBootstrap(EventLoop loop, ChannelHandler handler) {
    return new Bootstrap()
        .group(loop)
        .channel(NioSocketChannel.class)
        .option(ChannelOption.AUTO_READ, false)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
        .handler(handler);
  }

  /** TLS offered to clients, or null. */
  SslContext serverTls() {
    return serverTls;
  }

  /** TLS to the upstream, or null. */
  SslContext upstreamTls() {
    return upstreamTls;
  }

  /** Where API calls run: never on an event loop. */
  ExecutorService engine() {
    return engine;
  }

  /**
   * Whether this proxy has already made sure the catalog in {@code database} is current; the first
   * API call in each database checks (and installs) it.
   */
  boolean catalogChecked(String database) {
    return catalogsChecked.contains(database);
  }

  void markCatalogChecked(String database) {
    catalogsChecked.add(database);
  }

  /**
   * Stops accepting clients, lets running API calls finish for the configured grace period, then
   * ends every client session with a FATAL 57P01 error (rolling back open transactions on the
   * server) and stops the threads.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (listener != null) {
      listener.close().awaitUninterruptibly();
    }
    engine.shutdown();
    try {
      if (!engine.awaitTermination(config.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("API calls still running after {}; ending their sessions", config.shutdownGrace());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Channel ch : clients) {
      ClientSession s = ch.pipeline().get(ClientSession.class);
      if (s != null) {
        ch.eventLoop().execute(s::shutdown);
      }
    }
    clients.newCloseFuture().awaitUninterruptibly(2, TimeUnit.SECONDS);
    clients.close().awaitUninterruptibly();
    engine.shutdownNow();
    ioGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    acceptGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    LOG.info("proxy stopped");
  }
}
