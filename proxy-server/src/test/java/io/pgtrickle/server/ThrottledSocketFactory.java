package io.pgtrickle.server;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import javax.net.SocketFactory;

/**
 * A socket factory for pgjdbc's {@code socketFactory} property whose sockets read at most {@code
 * socketFactoryArg} bytes per second, making a client that reads more slowly than the server sends.
 */
public final class ThrottledSocketFactory extends SocketFactory {
  /** Small reads, so the rate holds over short intervals too. */
  private static final int MAX_READ = 16 * 1024;

  private final long bytesPerSecond;

  /** pgjdbc passes {@code socketFactoryArg} to this constructor. */
  public ThrottledSocketFactory(String bytesPerSecond) {
    this.bytesPerSecond = Long.parseLong(bytesPerSecond);
  }

  @Override
  public Socket createSocket() {
    return new ThrottledSocket(bytesPerSecond);
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    Socket s = createSocket();
    s.connect(new InetSocketAddress(host, port));
    return s;
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
      throws IOException {
    throw new UnsupportedOperationException("pgjdbc connects unbound sockets itself");
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    Socket s = createSocket();
    s.connect(new InetSocketAddress(host, port));
    return s;
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
      throws IOException {
    throw new UnsupportedOperationException("pgjdbc connects unbound sockets itself");
  }

  private static final class ThrottledSocket extends Socket {
    private final long bytesPerSecond;
    private InputStream in;

    ThrottledSocket(long bytesPerSecond) {
      this.bytesPerSecond = bytesPerSecond;
    }

    @Override
    public synchronized InputStream getInputStream() throws IOException {
      if (in == null) {
        in = new Throttled(super.getInputStream(), bytesPerSecond);
      }
      return in;
    }
  }

  private static final class Throttled extends FilterInputStream {
    private final long bytesPerSecond;
    private final long started = System.nanoTime();
    private long total;

    Throttled(InputStream in, long bytesPerSecond) {
      super(in);
      this.bytesPerSecond = bytesPerSecond;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        account(1);
      }
      return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      int n = super.read(buf, off, Math.min(len, MAX_READ));
      if (n > 0) {
        account(n);
      }
      return n;
    }

    /** Sleeps until reading {@code total} bytes has taken as long as the rate allows. */
    private void account(int n) throws IOException {
      total += n;
      long dueNanos = total * 1_000_000_000L / bytesPerSecond;
      long aheadMillis = (dueNanos - (System.nanoTime() - started)) / 1_000_000;
      if (aheadMillis > 0) {
        try {
          Thread.sleep(aheadMillis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while throttling a read");
        }
      }
    }
  }
}
