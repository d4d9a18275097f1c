package io.pgtrickle.server;

import io.pgtrickle.engine.catalog.CatalogMigrator;
import io.pgtrickle.engine.scheduler.Scheduler;
import io.pgtrickle.engine.scheduler.SchedulerConfig;
import io.pgtrickle.engine.scheduler.SchedulerConfig.Setting;
import io.pgtrickle.engine.session.JdbcSqlSession;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.EnumMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/**
 * The command-line entry point: starts the proxy in front of the given PostgreSQL, or of an
 * embedded PostgreSQL kept in {@code --data-dir}, and runs until SIGTERM or Ctrl-C.
 */
@Command(
    name = "pgtrickle-proxy",
    mixinStandardHelpOptions = true,
    version = "pg_trickle for Java 0.1.0-SNAPSHOT",
    description = {
      "Stream tables for PostgreSQL: a wire-protocol proxy that any client can point at.",
      "With no --upstream it starts an embedded PostgreSQL 18 in --data-dir."
    })
public final class Main implements Callable<Integer> {

  @Option(
      names = "--listen",
      paramLabel = "HOST:PORT",
      description = "Address to accept clients on (default: ${DEFAULT-VALUE}).",
      defaultValue = "127.0.0.1:6432",
      converter = AddressConverter.class)
  private InetSocketAddress listen;

  @Option(
      names = "--upstream",
      paramLabel = "postgresql://USER[:PASSWORD]@HOST:PORT/DB",
      description =
          "PostgreSQL to forward to; sslmode and sslrootcert may follow as URI parameters."
              + " Default: an embedded PostgreSQL 18 in --data-dir.")
  private String upstream;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "Data directory of the embedded PostgreSQL (default: ${DEFAULT-VALUE}).",
      defaultValue = "pgtrickle-data")
  private Path dataDir;

  @Option(
      names = "--tls-cert",
      paramLabel = "FILE",
      description = "Certificate chain (PEM) to offer clients that ask for TLS.")
  private Path tlsCert;

  @Option(
      names = "--tls-key",
      paramLabel = "FILE",
      description = "Private key (PKCS#8 PEM) of --tls-cert.")
  private Path tlsKey;

  @Option(
      names = "--engine-threads",
      paramLabel = "N",
      description = "API calls that may run at once (default: ${DEFAULT-VALUE}).",
      defaultValue = "16")
  private int engineThreads;

  @Option(
      names = "--scheduler",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "Refresh stream tables on their schedules (default: on). --no-scheduler leaves that to"
              + " other engines or to manual refresh_stream_table calls.")
  private boolean scheduler;

  @Option(
      names = "--scheduler-workers",
      paramLabel = "N",
      description = "Scheduled refreshes that may run at once (default: 4).")
  private String schedulerWorkers;

  @Option(
      names = "--scheduler-tick",
      paramLabel = "DURATION",
      description = "How often the scheduler looks for due stream tables (default: 1s).")
  private String schedulerTick;

  @Option(
      names = "--scheduler-max-consecutive-errors",
      paramLabel = "N",
      description =
          "Failed scheduled refreshes in a row after which a stream table is SUSPENDED"
              + " (default: 3).")
  private String schedulerMaxConsecutiveErrors;

  @Option(
      names = "--scheduler-backoff",
      paramLabel = "DURATION",
      description =
          "Wait before retrying a failed refresh, doubled after each further failure"
              + " (default: 1s).")
  private String schedulerBackoff;

  @Option(
      names = "--scheduler-backoff-max",
      paramLabel = "DURATION",
      description = "Longest wait between retries (default: 5m).")
  private String schedulerBackoffMax;

  @Option(
      names = "--scheduler-calculated-default",
      paramLabel = "DURATION",
      description =
          "How stale a 'calculated' stream table that nothing reads may become (default: 1s).")
  private String schedulerCalculatedDefault;

  /** Runs the command line and exits with its status. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new Main()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    SchedulerConfig schedulerConfig;
    try {
      schedulerConfig = schedulerConfig();
    } catch (SchedulerConfig.InvalidSettingException e) {
      System.err.println(e.setting().option() + ": " + e.getMessage());
      return 2;
    }
    EmbeddedPostgresServer embedded = null;
    Upstream target;
    if (upstream != null) {
      target = Upstream.parse(upstream);
    } else {
      System.out.println("Starting embedded PostgreSQL in " + dataDir.toAbsolutePath() + " ...");
      embedded = EmbeddedPostgresServer.start(dataDir);
      target =
          new Upstream(
              "127.0.0.1",
              embedded.port(),
              "postgres",
              embedded.user(),
              null,
              UpstreamSslMode.DISABLE,
              null);
    }
    ProxyServer server = null;
    Scheduler refresher = null;
    try {
      installCatalog(target);
      ProxyConfig config =
          ProxyConfig.forUpstream(target.host(), target.port())
              .withListen(listen)
              .withUpstreamSsl(target.sslMode(), target.sslRootCert())
              .withEngineThreads(engineThreads);
      if (tlsCert != null || tlsKey != null) {
        config = config.withTls(tlsCert, tlsKey);
      }
      server = ProxyServer.start(config);
      server.markCatalogChecked(target.database());
      if (scheduler) {
        refresher = startScheduler(target, schedulerConfig);
      }
      InetSocketAddress at = server.address();
      System.out.println(
          "pg_trickle proxy listening on "
              + at.getHostString()
              + ":"
              + at.getPort()
              + ", forwarding to "
              + target.host()
              + ":"
              + target.port());
      System.out.println(
          "Connect with: psql -h "
              + at.getHostString()
              + " -p "
              + at.getPort()
              + " -U "
              + target.user()
              + " "
              + target.database());
      awaitShutdown(refresher, server, embedded);
      return 0;
    } catch (Exception e) {
      if (refresher != null) {
        refresher.close();
      }
      if (server != null) {
        server.close();
      }
      if (embedded != null) {
        embedded.close();
      }
      throw e;
    }
  }

  /** Installs or upgrades the catalog in the upstream's database with the upstream credentials. */
  private static void installCatalog(Upstream target) throws SQLException {
    try (Connection c =
        DriverManager.getConnection(target.jdbcUrl(), target.user(), target.password())) {
      int applied = CatalogMigrator.migrate(new JdbcSqlSession(c));
      if (applied > 0) {
        System.out.println("Installed the pg_trickle catalog (" + applied + " migrations).");
      }
    }
  }

  /** The scheduler options given, the defaults for the rest. */
  private SchedulerConfig schedulerConfig() {
    Map<Setting, String> values = new EnumMap<>(Setting.class);
    putIfGiven(values, Setting.WORKERS, schedulerWorkers);
    putIfGiven(values, Setting.TICK, schedulerTick);
    putIfGiven(values, Setting.MAX_CONSECUTIVE_ERRORS, schedulerMaxConsecutiveErrors);
    putIfGiven(values, Setting.BACKOFF, schedulerBackoff);
    putIfGiven(values, Setting.BACKOFF_MAX, schedulerBackoffMax);
    putIfGiven(values, Setting.CALCULATED_DEFAULT, schedulerCalculatedDefault);
    return SchedulerConfig.of(values);
  }

  private static void putIfGiven(Map<Setting, String> values, Setting setting, String value) {
    if (value != null) {
      values.put(setting, value);
    }
  }

  /**
   * Starts the scheduler on a pool of its own to the upstream database, with the upstream
   * credentials.
   */
  private static Scheduler startScheduler(Upstream target, SchedulerConfig config) {
    Properties props = new Properties();
    props.setProperty("user", target.user());
    if (target.password() != null) {
      props.setProperty("password", target.password());
    }
    Scheduler s = Scheduler.startPooled(target.jdbcUrl(), props, config);
    System.out.println("Scheduler started with " + config.workers() + " refresh workers.");
    return s;
  }

  /**
   * Blocks until the JVM is asked to stop, then stops the scheduler (if any), the proxy and the
   * embedded server.
   */
  private static void awaitShutdown(
      Scheduler refresher, ProxyServer server, EmbeddedPostgresServer embedded)
      throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  System.out.println("Shutting down ...");
                  if (refresher != null) {
                    refresher.close();
                  }
                  server.close();
                  if (embedded != null) {
                    try {
                      embedded.close();
                    } catch (java.io.IOException e) {
                      System.err.println("could not stop the embedded PostgreSQL: " + e);
                    }
                  }
                  stopped.countDown();
                },
                "pgtrickle-shutdown"));
    stopped.await();
  }

  /** Parses {@code HOST:PORT} (or {@code :PORT} for the loopback interface). */
  static final class AddressConverter implements ITypeConverter<InetSocketAddress> {
    @Override
    public InetSocketAddress convert(String value) {
      int colon = value.lastIndexOf(':');
      if (colon < 0) {
        throw new CommandLine.TypeConversionException("expected HOST:PORT, got " + value);
      }
      String host = colon == 0 ? "127.0.0.1" : value.substring(0, colon);
      try {
        return new InetSocketAddress(host, Integer.parseInt(value.substring(colon + 1)));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException("invalid port in " + value);
      }
    }
  }
}
