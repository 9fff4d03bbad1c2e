package io.bulwark.loadtests;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.apache.pekko.actor.ActorSystem;

/**
 * What webhooks cost and how fast they arrive (ADR 0023): transfers/s of tenants without an
 * endpoint and of tenants with one (a receiver on loopback that answers 204 at once), measured in
 * alternating rounds of one run so that the machine's noise falls on both; then every delivery's
 * latency from the transfer's completion to its arrival, and how long the queue took to drain.
 * Every tenant's events become outbox messages either way; the ratio is the cost of delivering.
 *
 * <p>Arguments: base URL, platform key file, result JSON path. Properties: {@code phase.seconds}
 * (15), {@code rounds} (3), {@code in.flight} (32).
 */
public final class WebhookBench {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration PHASE = Duration.ofSeconds(Long.getLong("phase.seconds", 15));
  private static final int ROUNDS = Integer.getInteger("rounds", 3);
  private static final int IN_FLIGHT = Integer.getInteger("in.flight", 32);

  private WebhookBench() {}

  public static void main(String[] args) throws Exception {
    var bench = Bench.fromArgs(args);
    var system = ActorSystem.create("loadtests");
    var latency = new ConcurrentHistogram(3_600_000L, 3); // milliseconds
    Set<String> received = ConcurrentHashMap.newKeySet();
    var lastArrival = new AtomicLong();
    var receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
    receiver.setExecutor(Executors.newFixedThreadPool(8));
    receiver.createContext(
        "/",
        exchange -> {
          try (exchange) {
            var data = JSON.readTree(exchange.getRequestBody().readAllBytes()).get("data");
            long ms =
                Duration.between(Instant.parse(data.get("completedAt").asText()), Instant.now())
                    .toMillis();
            if (received.add(exchange.getRequestHeaders().getFirst("webhook-id"))) {
              latency.recordValue(Math.max(0, Math.min(ms, 3_600_000L)));
            }
            lastArrival.set(System.nanoTime());
            exchange.sendResponseHeaders(204, -1);
          }
        });
    receiver.start();
    try {
      var api = new Api(system, bench.url());
      var plain = Ledger.create(api, bench.platformKey(), 2, 50);
      var hooked = Ledger.create(api, bench.platformKey(), 2, 50);
      String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks";
      for (var t : hooked.tenants) {
        api.call(
            "POST",
            "/v1/tenants/" + t.id() + "/webhooks",
            bench.platformKey(),
            Ledger.json(Map.of("url", url, "events", List.of("transfer.completed"))),
            201);
      }
      Load.closed(system, IN_FLIGHT, Duration.ofSeconds(20), i -> plain.transfer("warm", i));
      Load.closed(system, IN_FLIGHT, Duration.ofSeconds(20), i -> hooked.transfer("warm", i));
      awaitDrain(received, lastArrival);
      latency.reset();
      received.clear();

      double plainSum = 0;
      double hookedSum = 0;
      long hookedTransfers = 0;
      for (int round = 1; round <= ROUNDS; round++) {
        double p = rate(system, plain, "p" + round);
        String phase = "h" + round;
        var h = Load.closed(system, IN_FLIGHT, PHASE, i -> hooked.transfer(phase, i));
        double hr = h.count("2") / (PHASE.toMillis() / 1000.0);
        hookedTransfers += h.count("2");
        plainSum += p;
        hookedSum += hr;
        System.out.printf(
            "  round %d: without endpoint %.0f transfers/s, with one %.0f/s (%d delivered so far)%n",
            round, p, hr, received.size());
      }
      long drainStart = System.nanoTime();
      awaitDrain(received, lastArrival);
      double drainSeconds = Math.max(0, lastArrival.get() - drainStart) / 1e9;

      var result = new LinkedHashMap<String, Object>();
      result.put("transfersPerSecondWithoutEndpoint", Math.round(plainSum / ROUNDS));
      result.put("transfersPerSecondWithEndpoint", Math.round(hookedSum / ROUNDS));
      result.put("ratio", Math.round(hookedSum / plainSum * 100) / 100.0);
      result.put("completedWithEndpoint", hookedTransfers);
      result.put("delivered", received.size());
      result.put("deliveryLatencyMillis", percentiles(latency));
      result.put("drainSecondsAfterLoad", Math.round(drainSeconds * 10) / 10.0);
      System.out.println("  " + JSON.writeValueAsString(result));
      Files.createDirectories(bench.out().toAbsolutePath().getParent());
      Files.writeString(
          bench.out(), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(result));
      if (received.size() < hookedTransfers) {
        throw new IllegalStateException(
            "only " + received.size() + " of " + hookedTransfers + " completed transfers arrived");
      }
    } finally {
      receiver.stop(0);
      system.terminate();
    }
  }

  private static double rate(ActorSystem system, Ledger ledger, String phase) {
    var r = Load.closed(system, IN_FLIGHT, PHASE, i -> ledger.transfer(phase, i));
    return r.count("2") / (PHASE.toMillis() / 1000.0);
  }

  /** Until nothing has arrived for 5 s (the dispatcher's queue is empty). */
  private static void awaitDrain(Set<String> received, AtomicLong lastArrival)
      throws InterruptedException {
    lastArrival.compareAndSet(0, System.nanoTime());
    while (System.nanoTime() - lastArrival.get() < 5_000_000_000L) {
      Thread.sleep(500);
    }
  }

  private static Map<String, Long> percentiles(Histogram h) {
    var p = new LinkedHashMap<String, Long>();
    p.put("p50", h.getValueAtPercentile(50));
    p.put("p99", h.getValueAtPercentile(99));
    p.put("max", h.getMaxValue());
    return p;
  }
}
