package io.bulwark.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * One tenant floods writes far past its limit while another moves money at a steady rate: the
 * steady tenant loses nothing and its latency barely moves, because the flood is refused at the
 * cheapest point (the flooding tenant's own bucket) before it costs an entity or a query.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NoisyNeighbourTest {
  private SingleNodeFixture f;
  private String noisyKey;
  private String steadyKey;
  private final AtomicInteger ids = new AtomicInteger();

  @BeforeAll
  void start() {
    f = new SingleNodeFixture();
    noisyKey = f.ledger.tenantWithAdmin("noisy");
    steadyKey = f.ledger.tenantWithAdmin("steady");
    for (var tenant : Map.of("noisy", noisyKey, "steady", steadyKey).entrySet()) {
      f.ledger.account(tenant.getKey(), tenant.getValue(), "bank", "EUR", null);
      f.ledger.account(tenant.getKey(), tenant.getValue(), "shop", "EUR", 0L);
    }
    var limited =
        f.api.send(
            new ApiClient.Call("PUT", "/v1/tenants/noisy/limits")
                .key(f.platformKey)
                .json(
                    Map.of(
                        "writesPerSecond",
                        20,
                        "writeBurst",
                        20,
                        "readsPerSecond",
                        100,
                        "readBurst",
                        100)));
    assertEquals(200, limited.status(), limited.body());
  }

  @AfterAll
  void stop() throws Exception {
    f.close();
  }

  private HttpRequest transfer(String tenant, String key) {
    String json = "{\"from\":\"bank\",\"to\":\"shop\",\"amount\":1,\"currency\":\"EUR\"}";
    return Paced.request(f.node.baseUrl() + "/v1/tenants/" + tenant + "/transfers")
        .header("Authorization", "Bearer " + key)
        .header("Idempotency-Key", tenant + "-" + ids.incrementAndGet())
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json))
        .build();
  }

  @Test
  void aFloodingTenantDoesNotHurtASteadyOne() throws Exception {
    Paced.run(20, Duration.ofSeconds(3), i -> transfer("steady", steadyKey)); // warm-up
    var alone = Paced.run(20, Duration.ofSeconds(8), i -> transfer("steady", steadyKey));

    // 400 writes a second, 20 times its limit, all with one Idempotency-Key: accepted ones are
    // replays, so the flood's cost to the node is its refusals.
    byte[] request =
        Flood.post(
            "/v1/tenants/noisy/transfers",
            Map.of("Authorization", "Bearer " + noisyKey, "Idempotency-Key", "flood"),
            "{\"from\":\"bank\",\"to\":\"shop\",\"amount\":1,\"currency\":\"EUR\"}");
    int port = java.net.URI.create(f.node.baseUrl()).getPort();
    var flood =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return Flood.run(port, request, 4, 400, Duration.ofSeconds(10));
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    Thread.sleep(1_000);
    var beside = Paced.run(20, Duration.ofSeconds(8), i -> transfer("steady", steadyKey));
    var noisy = flood.get();

    double p99Alone = alone.latencyMillis(0.99, 201);
    double p99Beside = beside.latencyMillis(0.99, 201);
    System.out.printf(
        "NoisyNeighbourTest: noisy %s; steady alone %s p50 %.1f ms p99 %.1f ms;"
            + " steady beside the flood %s p50 %.1f ms p99 %.1f ms%n",
        noisy,
        alone.byStatus(),
        alone.latencyMillis(0.5, 201),
        p99Alone,
        beside.byStatus(),
        beside.latencyMillis(0.5, 201),
        p99Beside);
    assertEquals(160, beside.count(201), "every steady transfer succeeds: " + beside.byStatus());
    long refused = noisy.getOrDefault(429, 0L);
    long answered = noisy.getOrDefault(201, 0L);
    assertTrue(refused > 3000, "the flood is refused: " + noisy);
    assertTrue(answered <= 20 * 10 + 20 + 5, "the flood gets its limit: " + noisy);
    // The bound is 2x; measured here it holds with room (46 ms beside vs 52 ms alone in
    // the run of the note). On a shared 2-core machine a p99 of 160 samples also moves with
    // unrelated stalls, so the suite guards against a gross regression (2x + 50 ms: logging the
    // refusals once made it 1,600 ms) and prints the figures; loadtests/ measures at length.
    assertTrue(
        p99Beside <= 2 * p99Alone + 50,
        "steady p99 " + p99Beside + " ms beside the flood vs " + p99Alone + " ms alone");
  }
}
