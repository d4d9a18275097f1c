package io.pgtrickle.engine.scheduler;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.pgtrickle.engine.immediate.ImmediateMaintenance;
import io.pgtrickle.engine.model.RefreshMode;
import io.pgtrickle.engine.model.Status;
import io.pgtrickle.engine.refresh.InitiatedBy;
import io.pgtrickle.engine.session.JdbcSqlSession;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.postgresql.PGProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refreshes stream tables when they are due, until closed.
 *
 * <p>Every tick one thread reads the catalog (one statement), asks the {@link Planner} what is due
 * and hands the units to a fixed pool of workers. A unit starts once the units it reads from have
 * succeeded in this cycle; a unit whose input failed or was skipped waits for the next cycle. A
 * stream table still being refreshed from an earlier cycle is not planned again. Each unit runs on
 * its own connection in its own transaction ({@link UnitRunner}), so nothing here outlives a
 * transaction and the connections may come from a transaction-pooling PgBouncer.
 */
public final class Scheduler implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);

  private final DataSource dataSource;
  private final AutoCloseable ownedPool;
  private final Clock clock;
  private final Planner planner;
  private final UnitRunner runner;
  private final ScheduledExecutorService ticker;
  private final ExecutorService workers;
  private final Set<Long> inFlight = ConcurrentHashMap.newKeySet();

  /** Whether an IMMEDIATE catch-up is running (at most one at a time). */
  private final AtomicBoolean catchingUp = new AtomicBoolean();

  private Scheduler(
      DataSource dataSource, AutoCloseable ownedPool, SchedulerConfig config, Clock clock) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.ownedPool = ownedPool;
    this.clock = Objects.requireNonNull(clock, "clock");
    this.planner = new Planner(config, clock.getZone());
    this.runner = new UnitRunner(config, clock);
    this.ticker = Executors.newSingleThreadScheduledExecutor(threads("pgtrickle-scheduler"));
    this.workers = Executors.newFixedThreadPool(config.workers(), threads("pgtrickle-refresh"));
  }

  /**
   * Starts a scheduler on connections from {@code dataSource}, which must have room for {@code
   * config.workers() + 1} of them. The caller keeps ownership of the data source.
   */
  public static Scheduler start(DataSource dataSource, SchedulerConfig config, Clock clock) {
    Scheduler s = new Scheduler(dataSource, null, config, clock);
    s.schedule(config);
    return s;
  }

  /**
   * Starts a scheduler with a connection pool of its own (HikariCP, {@code workers + 1}
   * connections) to the pgjdbc URL, closed with the scheduler.
   *
   * <p>The pool's connections never prepare named server-side statements ({@code
   * prepareThreshold=0}, whatever {@code properties} say): they carry only the engine's one-off
   * statements, and pgjdbc would otherwise name its own BEGIN and COMMIT, which a
   * transaction-pooling PgBouncer cannot route.
   *
   * @param properties pgjdbc connection properties (user, password, ssl, …)
   */
  public static Scheduler startPooled(
      String jdbcUrl, Properties properties, SchedulerConfig config) {
    HikariConfig pool = new HikariConfig();
    pool.setJdbcUrl(jdbcUrl);
    Properties props = new Properties();
    props.putAll(properties);
    props.setProperty(PGProperty.PREPARE_THRESHOLD.getName(), "0");
    pool.setDataSourceProperties(props);
    pool.setPoolName("pgtrickle-scheduler");
    pool.setMaximumPoolSize(config.workers() + 1);
    pool.setMinimumIdle(1);
    // Fail at first use, not at start: the database may come up after the engine.
    pool.setInitializationFailTimeout(-1);
    HikariDataSource ds = new HikariDataSource(pool);
    Scheduler s = new Scheduler(ds, ds, config, Clock.systemDefaultZone());
    s.schedule(config);
    return s;
  }

  private void schedule(SchedulerConfig config) {
    long tickMs = config.tick().toMillis();
    ticker.scheduleWithFixedDelay(this::cycleQuietly, 0, tickMs, TimeUnit.MILLISECONDS);
  }

  private void cycleQuietly() {
    try {
      runCycle();
    } catch (SQLException | RuntimeException e) {
      // A database that is down or restarting: try again at the next tick.
      LOG.warn("scheduler cycle failed: {}", e.getMessage());
      LOG.debug("scheduler cycle failure", e);
    }
  }

  /**
   * Reads the catalog, plans, and submits the plan's units to the workers; returns a future that
   * completes when they have all finished.
   */
  CompletableFuture<Void> runCycle() throws SQLException {
    CatalogView view;
    try (Connection c = dataSource.getConnection()) {
      view = CatalogView.load(new JdbcSqlSession(c));
    }
    Plan plan = planner.plan(view, clock.instant());
    List<CompletableFuture<Boolean>> done = new ArrayList<>();
    for (RefreshUnit unit : plan.units()) {
      CompletableFuture<Boolean> f;
      if (unit.members().stream().anyMatch(inFlight::contains)) {
        f = CompletableFuture.completedFuture(false);
      } else {
        inFlight.addAll(unit.members());
        List<CompletableFuture<Boolean>> inputs = unit.after().stream().map(done::get).toList();
        f =
            CompletableFuture.allOf(inputs.toArray(CompletableFuture<?>[]::new))
                .thenApplyAsync(
                    ignored -> inputs.stream().allMatch(CompletableFuture::join) && run(unit, view),
                    workers)
                .whenComplete((ok, error) -> unit.members().forEach(inFlight::remove));
      }
      done.add(f);
    }
    // After the units: their indexes in done are the plan's.
    if (hasImmediate(view) && catchingUp.compareAndSet(false, true)) {
      done.add(
          CompletableFuture.supplyAsync(this::catchUpImmediate, workers)
              .whenComplete((ok, error) -> catchingUp.set(false)));
    }
    return CompletableFuture.allOf(done.toArray(CompletableFuture<?>[]::new));
  }

  private static boolean hasImmediate(CatalogView view) {
    return view.tables().values().stream()
        .anyMatch(
            t ->
                t.effectiveMode() == RefreshMode.IMMEDIATE
                    && t.status() != Status.SUSPENDED
                    && t.storageExists());
  }

  /**
   * Applies to IMMEDIATE stream tables the changes their writers' maintenance did not: writes that
   * bypassed the driver and the proxy (psql straight to the database, cascades, other triggers).
   * Each stream table caught up gets a history row; most cycles find nothing to do, in two reads.
   */
  private boolean catchUpImmediate() {
    try (Connection c = dataSource.getConnection()) {
      JdbcSqlSession s = new JdbcSqlSession(c);
      s.begin();
      try {
        int caughtUp = ImmediateMaintenance.catchUp(s, InitiatedBy.SCHEDULER);
        s.commit();
        if (caughtUp > 0) {
          LOG.debug("caught {} IMMEDIATE stream table(s) up on bypassing writes", caughtUp);
        }
        return true;
      } catch (SQLException | RuntimeException e) {
        s.rollbackAfter(e);
        throw e;
      }
    } catch (SQLException | RuntimeException e) {
      LOG.warn("catching IMMEDIATE stream tables up failed: {}", e.getMessage());
      LOG.debug("IMMEDIATE catch-up failure", e);
      return false;
    }
  }

  private boolean run(RefreshUnit unit, CatalogView view) {
    try (Connection c = dataSource.getConnection()) {
      return runner.run(new JdbcSqlSession(c), unit, view) == UnitRunner.Outcome.REFRESHED;
    } catch (SQLException | RuntimeException e) {
      LOG.warn("scheduled refresh of {} could not run: {}", names(unit, view), e.getMessage());
      LOG.debug("scheduled refresh failure", e);
      return false;
    }
  }

  private static String names(RefreshUnit unit, CatalogView view) {
    List<String> names = new ArrayList<>();
    for (long id : unit.members()) {
      names.add(view.get(id).name());
    }
    return String.join(", ", names);
  }

  /**
   * Stops planning, lets running refreshes finish (up to 30 seconds, then interrupts them) and
   * closes the connection pool if the scheduler owns one.
   */
  @Override
  public void close() {
    ticker.shutdownNow();
    workers.shutdown();
    try {
      ticker.awaitTermination(30, TimeUnit.SECONDS);
      if (!workers.awaitTermination(30, TimeUnit.SECONDS)) {
        workers.shutdownNow();
        workers.awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      workers.shutdownNow();
      Thread.currentThread().interrupt();
    }
    if (ownedPool != null) {
      try {
        ownedPool.close();
      } catch (Exception e) {
        LOG.warn("could not close the scheduler's connection pool: {}", e.getMessage());
      }
    }
  }

  private static ThreadFactory threads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true); // an application that forgets to close the driver can still exit
      return t;
    };
  }
}
