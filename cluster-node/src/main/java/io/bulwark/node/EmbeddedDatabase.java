package io.bulwark.node;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
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
      try {
        prepareRoles(postgres);
      } catch (SQLException e) {
        postgres.close();
        throw new IOException("its roles could not be prepared: " + e.getMessage(), e);
      }
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
   * no login has a password: there is no secret to keep. Its superuser runs the migrations, and the
   * node works as {@link #APP_USER}, a member of bulwark_app, as in production (ADR 0019).
   */
  static final String SUPERUSER = "postgres";

  /** The node's login in local mode: DML through bulwark_app, no DDL. */
  static final String APP_USER = "bulwark";

  /**
   * The URL of the server's database {@code postgres}, without a user: the node connects as {@link
   * #APP_USER}, the migrations as {@link #SUPERUSER}.
   */
  String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres";
  }

  /**
   * What a DBA does before a first start (ADR 0019): the group roles of V5 and the node's login.
   * Idempotent, so a data directory of an earlier version gets them too.
   */
  private static void prepareRoles(EmbeddedPostgres postgres) throws SQLException {
    try (Connection c = postgres.getPostgresDatabase().getConnection();
        Statement statement = c.createStatement()) {
      statement.execute(
          """
          DO $roles$
          BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'bulwark_app') THEN
              CREATE ROLE bulwark_app NOLOGIN;
            END IF;
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'bulwark_analyst') THEN
              CREATE ROLE bulwark_analyst NOLOGIN;
            END IF;
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '%s') THEN
              CREATE ROLE %s LOGIN;
            END IF;
          END
          $roles$"""
              .formatted(APP_USER, APP_USER));
      statement.execute("GRANT bulwark_app TO " + APP_USER);
    }
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
