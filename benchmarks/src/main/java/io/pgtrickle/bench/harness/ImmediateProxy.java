package io.pgtrickle.bench.harness;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The proxy in a JVM of its own, as it is deployed, fronting an {@link ImmediateServer} with no
 * scheduler; its output goes to a log file.
 */
final class ImmediateProxy implements AutoCloseable {
  private final Process process;
  private final int port;
  private final Path log;

  private ImmediateProxy(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /**
   * Starts {@code java -jar jar} when the shaded proxy jar exists, or the proxy's main class from
   * this JVM's class path (the benchmarks jar holds it) otherwise.
   */
  static ImmediateProxy start(Path jar, String upstream, List<String> jvmOptions)
      throws IOException, InterruptedException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    if (Files.isRegularFile(jar)) {
      cmd.add("-jar");
      cmd.add(jar.toString());
    } else {
      cmd.add("-cp");
      cmd.add(System.getProperty("java.class.path"));
      cmd.add("io.pgtrickle.server.Main");
    }
    cmd.addAll(List.of("--listen", "127.0.0.1:" + port, "--upstream", upstream, "--no-scheduler"));
    Path log = Files.createTempFile("pgtrickle-bench-proxy", ".log");
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
    ImmediateProxy proxy = new ImmediateProxy(p, port, log);
    proxy.awaitListening();
    return proxy;
  }

  private void awaitListening() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("the proxy exited: " + Files.readString(log));
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        Thread.sleep(100);
      }
    }
    close();
    throw new IOException("the proxy did not listen within 60 s: " + Files.readString(log));
  }

  /** The loopback port the proxy accepts clients on. */
  int port() {
    return port;
  }

  /** The process id, for a profiler to attach to. */
  long pid() {
    return process.pid();
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    process.waitFor();
  }
}
