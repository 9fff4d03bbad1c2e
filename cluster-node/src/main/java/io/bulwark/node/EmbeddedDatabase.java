package io.bulwark.node;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL started from the node for local runs, its data kept in the data directory so a
 * restart recovers what was written (ADR 0005). Never used when BULWARK_DB_URL is set.
 */
final class EmbeddedDatabase implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);

  private final EmbeddedPostgres postgres;

  private EmbeddedDatabase(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  static EmbeddedDatabase start(Path dataDir, int port) {
    Path pgData = dataDir.resolve("postgres");
    try {
      Files.createDirectories(pgData);
      stopOrphan(pgData);
      var builder =
          EmbeddedPostgres.builder()
              .setDataDirectory(pgData)
              .setCleanDataDirectory(false)
              .setRegisterShutdownHook(false)
              .setServerConfig("listen_addresses", "127.0.0.1")
              // zonky turns both off for speed (-F, synchronous_commit=off); an acknowledged write
              // must survive a crash, so they are turned back on (a later -c wins over -F).
              .setServerConfig("fsync", "on")
              .setServerConfig("synchronous_commit", "on")
              .setServerConfig("max_connections", "200");
      if (port > 0) {
        builder.setPort(port);
      }
      var postgres = builder.start();
      log.info(
          "Embedded PostgreSQL running on 127.0.0.1:{} with data in {}",
          postgres.getPort(),
          pgData);
      return new EmbeddedDatabase(postgres);
    } catch (IOException e) {
      throw new StartupException(
          "The embedded PostgreSQL did not start in "
              + pgData
              + ": "
              + e.getMessage()
              + " (set BULWARK_DB_URL to use a PostgreSQL server instead)");
    }
  }

  /**
   * A node killed hard (SIGKILL) leaves its PostgreSQL running on the data directory, which would
   * refuse a second server. Such an orphan is asked to shut down (SIGTERM, a smart shutdown: its
   * clients died with the node) before the new server starts.
   */
  private static void stopOrphan(Path pgData) throws IOException {
    Path pidFile = pgData.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return;
    }
    long pid;
    try {
      pid = Long.parseLong(Files.readAllLines(pidFile).get(0).strip());
    } catch (RuntimeException unreadable) {
      return;
    }
    var orphan =
        ProcessHandle.of(pid)
            .filter(ProcessHandle::isAlive)
            .filter(p -> p.info().command().map(c -> c.endsWith("postgres")).orElse(false));
    if (orphan.isEmpty()) {
      return;
    }
    log.warn(
        "Stopping an embedded PostgreSQL (pid {}) left running by a node that did not stop", pid);
    orphan.get().destroy();
    try {
      orphan.get().onExit().get(60, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IOException("the old embedded PostgreSQL (pid " + pid + ") did not stop: " + e);
    }
  }

  /**
   * The embedded server listens on loopback only and trusts local connections (its pg_hba.conf), so
   * the node connects as its superuser with no password: there is no secret to keep.
   */
  static final String USER = "postgres";

  String jdbcUrl() {
    return postgres.getJdbcUrl(USER, "postgres");
  }

  @Override
  public void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      log.warn("Embedded PostgreSQL did not stop cleanly: {}", e.getMessage());
    }
  }
}
