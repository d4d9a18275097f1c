package io.pgtrickle.server;

import io.pgtrickle.testing.TestDatabase;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A PostgreSQL command-line client (psql, pgbench) run as a child process against a host and port,
 * with an environment that holds nothing but the connection's credentials.
 */
final class ClientProcess {

  /** What a finished process left: its exit status and everything it printed. */
  record Result(int exitCode, String stdout, String stderr) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- stdout:\n" + stdout + "\n--- stderr:\n" + stderr;
    }
  }

  /** Generous for a script of milliseconds, so a hang fails the test instead of the build. */
  static final Duration PSQL_TIMEOUT = Duration.ofSeconds(60);

  private final Process process;
  private final List<String> command;
  private final Path stdout;
  private final Path stderr;

  private ClientProcess(Process process, List<String> command, Path stdout, Path stderr) {
    this.process = process;
    this.command = command;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  /**
   * Starts {@code program args...} in {@code workDir}, connecting as {@code db}'s administrator to
   * {@code host:port} and {@code db}'s database.
   *
   * @param program {@code psql} or {@code pgbench}, looked up on the PATH
   * @param extraEnv variables to set on top of the clean environment, e.g. {@code PGOPTIONS}
   * @param args the arguments after the connection options
   */
  static ClientProcess start(
      String program,
      TestDatabase db,
      String host,
      int port,
      Path workDir,
      Map<String, String> extraEnv,
      List<String> args)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(program);
    command.addAll(List.of("-h", host, "-p", Integer.toString(port), "-U", db.user()));
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
    Map<String, String> env = builder.environment();
    // Whatever PG* settings the machine has (PGHOST, PGOPTIONS, PGSSLMODE, a service file) would
    // make the proxied and the direct run differ in ways this test did not choose.
    env.keySet().removeIf(name -> name.startsWith("PG"));
    env.put("PGDATABASE", db.databaseName());
    env.put("PGCONNECT_TIMEOUT", "10");
    // Not /dev/null, which libpq warns about on every connection.
    env.put("PGPASSFILE", workDir.resolve("no-such.pgpass").toString());
    env.put("PSQLRC", "/dev/null");
    if (db.password() != null) {
      env.put("PGPASSWORD", db.password());
    }
    // Client messages ("Cancel request sent", pgbench's summary) untranslated.
    env.put("LC_ALL", "C");
    env.remove("LANGUAGE");
    env.putAll(extraEnv);
    Path out = Files.createTempFile(workDir, program, ".out");
    Path err = Files.createTempFile(workDir, program, ".err");
    // Files rather than pipes: a chatty client can never block on a full pipe we are not reading.
    builder
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(out.toFile())
        .redirectError(err.toFile());
    try {
      return new ClientProcess(builder.start(), command, out, err);
    } catch (IOException e) {
      throw new IOException(
          program + " could not be started; it comes with Debian's postgresql-client-15", e);
    }
  }

  /** Runs the client to completion, failing the test if it takes longer than {@code timeout}. */
  static Result run(
      String program,
      TestDatabase db,
      String host,
      int port,
      Path workDir,
      Map<String, String> extraEnv,
      Duration timeout,
      List<String> args)
      throws IOException, InterruptedException {
    return start(program, db, host, port, workDir, extraEnv, args).await(timeout);
  }

  /**
   * Runs {@code psql -X -w args...}: no ~/.psqlrc, and never a password prompt, which would wait
   * for the timeout instead of failing.
   */
  static Result psql(
      TestDatabase db,
      String host,
      int port,
      Path workDir,
      Map<String, String> extraEnv,
      List<String> args)
      throws IOException, InterruptedException {
    List<String> all = new ArrayList<>(List.of("-X", "-w"));
    all.addAll(args);
    return run("psql", db, host, port, workDir, extraEnv, PSQL_TIMEOUT, all);
  }

  /** The child's process id. */
  long pid() {
    return process.pid();
  }

  /** Whether the child is still running. */
  boolean isAlive() {
    return process.isAlive();
  }

  /**
   * Sends the child SIGINT, as Ctrl-C would; Java can only send SIGTERM and SIGKILL itself, and
   * psql answers only SIGINT with a cancel request.
   */
  void interrupt() throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new AssertionError("could not send SIGINT to process " + process.pid());
    }
  }

  /**
   * Waits for the child to exit; if it has not within {@code timeout}, kills it and throws an
   * AssertionError showing what it had printed.
   */
  Result await(Duration timeout) throws IOException, InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      throw new AssertionError(
          String.join(" ", command) + " did not finish within " + timeout + "\n" + output(-1));
    }
    return output(process.exitValue());
  }

  private Result output(int exitCode) throws IOException {
    return new Result(
        exitCode,
        Files.readString(stdout, StandardCharsets.UTF_8),
        Files.readString(stderr, StandardCharsets.UTF_8));
  }
}
