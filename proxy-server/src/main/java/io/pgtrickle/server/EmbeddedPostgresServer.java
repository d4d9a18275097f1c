package io.pgtrickle.server;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A PostgreSQL 18 server from Maven Central (zonky's embedded binaries) whose data directory is
 * kept between runs, for when no upstream server is given.
 */
final class EmbeddedPostgresServer implements AutoCloseable {
  private final EmbeddedPostgres postgres;

  private EmbeddedPostgresServer(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  /** Starts (initialising on first use) the cluster in {@code dataDir}. */
  static EmbeddedPostgresServer start(Path dataDir) throws IOException {
    Files.createDirectories(dataDir);
    EmbeddedPostgres pg =
        EmbeddedPostgres.builder()
            .setDataDirectory(dataDir)
            .setCleanDataDirectory(false)
            .setPGStartupWait(Duration.ofSeconds(60))
            .setLocaleConfig("locale", "C")
            .setServerConfig("timezone", "UTC")
            .start();
    return new EmbeddedPostgresServer(pg);
  }

  /** The port it listens on (loopback). */
  int port() {
    return postgres.getPort();
  }

  /** The superuser created by initdb. */
  String user() {
    return "postgres";
  }

  @Override
  public void close() throws IOException {
    postgres.close();
  }
}
