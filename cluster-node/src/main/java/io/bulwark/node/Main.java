package io.bulwark.node;

import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts a node from the BULWARK_* environment (README, API.md "Running a node"). */
public final class Main {
  static {
    // With two cores the common pool has parallelism 1, and the JDK then runs each async callback
    // of a CompletableFuture on a new thread. Bulwark's own asks avoid that (Stages); this covers
    // any library path that does not. Set before anything touches the pool.
    if (System.getProperty("java.util.concurrent.ForkJoinPool.common.parallelism") == null) {
      System.setProperty(
          "java.util.concurrent.ForkJoinPool.common.parallelism",
          Integer.toString(Math.max(4, Runtime.getRuntime().availableProcessors())));
    }
    // Before the first logger: logback reads its configuration once, when logging starts.
    Telemetry.chooseLogFormat(System.getenv());
  }

  private static final Logger log = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) {
    var environment = new Environment(System.getenv());
    EmbeddedDatabase embedded = null;
    try {
      if (environment.telemetry()) {
        Telemetry.start(com.typesafe.config.ConfigFactory.load(), System.getenv());
      }
      String embeddedUrl = null;
      if (environment.usesEmbeddedDatabase()) {
        embedded = EmbeddedDatabase.start(environment.dataDir(), environment.embeddedDbPort());
        embeddedUrl = embedded.jdbcUrl();
      }
      var settings = environment.settings(embeddedUrl);
      var node = BulwarkNode.start(settings);
      log.info(
          "Bulwark node {} is up with roles {}; {}",
          node.appVersion(),
          settings.roles().stream().map(NodeRole::clusterRole).sorted().toList(),
          node.httpPort() > 0
              ? (settings.tls().https().isPresent() ? "HTTPS" : "HTTP")
                  + " on port "
                  + node.httpPort()
              : "no HTTP API here");
      stopDatabaseAfter(node, embedded);
    } catch (StartupException e) {
      log.error("Bulwark cannot start: {}", e.getMessage());
      if (embedded != null) {
        embedded.close();
      }
      System.exit(2);
    }
  }

  /** The embedded database outlives the actor system, so the journal's last writes land. */
  private static void stopDatabaseAfter(BulwarkNode node, EmbeddedDatabase embedded) {
    if (embedded == null) {
      return;
    }
    var stopped = new CountDownLatch(1);
    node.system()
        .getWhenTerminated()
        .thenRun(
            () -> {
              embedded.close();
              stopped.countDown();
            });
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    stopped.await();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                },
                "bulwark-embedded-db-stop"));
  }
}
