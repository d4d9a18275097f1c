package io.pgtrickle.server;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link ProxyServer} listens and where it forwards.
 *
 * @param listen the address to accept clients on (port 0 picks a free one)
 * @param upstreamHost the PostgreSQL server's host
 * @param upstreamPort the PostgreSQL server's port
 * @param upstreamSsl whether to use TLS to the server
 * @param upstreamRootCert the CA certificate (PEM) to check the server against in VERIFY_FULL, or
 *     null for the JVM's trust store
 * @param tlsCert the proxy's own certificate chain (PEM) offered to clients, or null to refuse TLS
 * @param tlsKey the private key (PKCS#8 PEM) of {@code tlsCert}
 * @param engineThreads how many API calls may run at once; more wait their turn
 * @param maxFrameLength the largest message a client may send, in bytes
 * @param shutdownGrace how long {@link ProxyServer#close()} waits for running API calls
 */
public record ProxyConfig(
    InetSocketAddress listen,
    String upstreamHost,
    int upstreamPort,
    UpstreamSslMode upstreamSsl,
    Path upstreamRootCert,
    Path tlsCert,
    Path tlsKey,
    int engineThreads,
    int maxFrameLength,
    Duration shutdownGrace) {

  /** The default listen address, PgBouncer's customary port on the loopback interface. */
  public static final InetSocketAddress DEFAULT_LISTEN = new InetSocketAddress("127.0.0.1", 6432);

  /** Checks the settings are consistent. */
  public ProxyConfig {
    Objects.requireNonNull(listen, "listen");
    Objects.requireNonNull(upstreamHost, "upstreamHost");
    Objects.requireNonNull(upstreamSsl, "upstreamSsl");
    Objects.requireNonNull(shutdownGrace, "shutdownGrace");
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new IllegalArgumentException("give both a TLS certificate and its key, or neither");
    }
    if (engineThreads < 1) {
      throw new IllegalArgumentException("engineThreads must be at least 1: " + engineThreads);
    }
  }

  /** A configuration forwarding to {@code host:port} with every other setting at its default. */
  public static ProxyConfig forUpstream(String host, int port) {
    return new ProxyConfig(
        DEFAULT_LISTEN,
        host,
        port,
        UpstreamSslMode.DISABLE,
        null,
        null,
        null,
        16,
        1 << 30,
        Duration.ofSeconds(10));
  }

  /** This configuration listening on {@code address}. */
  public ProxyConfig withListen(InetSocketAddress address) {
    return new ProxyConfig(
        address,
        upstreamHost,
        upstreamPort,
        upstreamSsl,
        upstreamRootCert,
        tlsCert,
        tlsKey,
        engineThreads,
        maxFrameLength,
        shutdownGrace);
  }

  /** This configuration offering TLS to clients with the given certificate chain and key. */
  public ProxyConfig withTls(Path cert, Path key) {
    return new ProxyConfig(
        listen,
        upstreamHost,
        upstreamPort,
        upstreamSsl,
        upstreamRootCert,
        cert,
        key,
        engineThreads,
        maxFrameLength,
        shutdownGrace);
  }

  /** This configuration with TLS to the upstream. */
  public ProxyConfig withUpstreamSsl(UpstreamSslMode mode, Path rootCert) {
    return new ProxyConfig(
        listen,
        upstreamHost,
        upstreamPort,
        mode,
        rootCert,
        tlsCert,
        tlsKey,
        engineThreads,
        maxFrameLength,
        shutdownGrace);
  }

  /** This configuration with another limit on a client's message size. */
  public ProxyConfig withMaxFrameLength(int bytes) {
    return new ProxyConfig(
        listen,
        upstreamHost,
        upstreamPort,
        upstreamSsl,
        upstreamRootCert,
        tlsCert,
        tlsKey,
        engineThreads,
        bytes,
        shutdownGrace);
  }

  /** This configuration with another number of engine threads. */
  public ProxyConfig withEngineThreads(int threads) {
    return new ProxyConfig(
        listen,
        upstreamHost,
        upstreamPort,
        upstreamSsl,
        upstreamRootCert,
        tlsCert,
        tlsKey,
        threads,
        maxFrameLength,
        shutdownGrace);
  }
}
