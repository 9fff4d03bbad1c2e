package io.bulwark.loadtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A few seconds of the generator against a real node (its own JVM, embedded PostgreSQL), as the
 * benchmark scripts run it. It asserts only that the generator produces results, not how fast.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GeneratorSmokeTest {
  @TempDir static Path work;
  private Process node;
  private String baseUrl;
  private ActorSystem system;

  @BeforeAll
  void startNode() throws Exception {
    int http = freePort();
    int management = freePort();
    var builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-cp",
                System.getProperty("java.class.path"),
                "io.bulwark.node.Main")
            .redirectErrorStream(true)
            .redirectOutput(work.resolve("node.log").toFile());
    var env = builder.environment();
    env.put("BULWARK_DATA_DIR", work.resolve("data").toString());
    env.put("BULWARK_HTTP_PORT", Integer.toString(http));
    env.put("BULWARK_MANAGEMENT_PORT", Integer.toString(management));
    env.put("BULWARK_CLUSTER_PORT", Integer.toString(freePort()));
    env.put("BULWARK_EMBEDDED_DB_PORT", Integer.toString(freePort()));
    env.remove("BULWARK_DB_URL");
    node = builder.start();
    awaitReady("http://127.0.0.1:" + management + "/ready", Duration.ofSeconds(120));
    baseUrl = "http://127.0.0.1:" + http;
    // The node's application.conf is on this classpath too: the generator's system must stay a
    // local one that does not end the JVM when it terminates.
    system =
        ActorSystem.create(
            "smoke",
            ConfigFactory.parseString(
                    "pekko.actor.provider = local\n"
                        + "pekko.coordinated-shutdown.exit-jvm = off\n"
                        + "pekko.coordinated-shutdown.run-by-actor-system-terminate = off")
                .withFallback(ConfigFactory.load()));
  }

  @AfterAll
  void stop() throws Exception {
    if (system != null) {
      system.terminate();
    }
    if (node != null) {
      node.destroy();
      if (!node.waitFor(60, TimeUnit.SECONDS)) {
        node.destroyForcibly();
      }
    }
  }

  @Test
  void anOpenLoadOfAFewSecondsProducesResults() throws Exception {
    String platformKey = Files.readString(work.resolve("data").resolve("platform-key")).strip();
    var ledger = Ledger.create(new Api(system, baseUrl), platformKey, 1, 4);

    Recorder recorder =
        Load.open(system, 20, Duration.ofSeconds(2), 64, i -> ledger.transfer("smoke", i));

    assertEquals(40, recorder.total(), recorder.outcomes().toString());
    assertTrue(recorder.count("201") > 0, recorder.outcomes().toString());
    assertTrue(recorder.accepted.getTotalCount() > 0);
    assertTrue(Recorder.millis(recorder.accepted, 99) > 0);
  }

  @Test
  @SuppressWarnings("unchecked")
  void aShortBaselineOfTheMixReportsEveryRequestByKind() throws Exception {
    String platformKey = Files.readString(work.resolve("data").resolve("platform-key")).strip();
    var ledger = Ledger.create(new Api(system, baseUrl), platformKey, 1, 4);

    var result =
        Scenario.run(
            system,
            ledger,
            "baseline",
            List.of(new Scenario.Phase("baseline", 50, Duration.ofSeconds(2))));

    var phase = ((List<Map<String, Object>>) result.get("phases")).get(0);
    var outcomes = (Map<String, Long>) phase.get("outcomes");
    assertEquals(100L, outcomes.values().stream().mapToLong(Long::longValue).sum(), "" + outcomes);
    var byKind = (Map<String, Map<String, Object>>) phase.get("acceptedLatencyByKind");
    assertTrue(byKind.containsKey("transfer"), "" + byKind);
    assertTrue(byKind.keySet().stream().anyMatch(k -> !k.equals("transfer")), "" + byKind);
  }

  private void awaitReady(String url, Duration within) throws Exception {
    var client = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      if (!node.isAlive()) {
        throw new IllegalStateException(
            "the node exited: " + Files.readString(work.resolve("node.log")));
      }
      try {
        var response =
            client.send(
                HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(500);
    }
    throw new IllegalStateException("the node was not ready within " + within);
  }

  private static int freePort() throws IOException {
    try (var socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
