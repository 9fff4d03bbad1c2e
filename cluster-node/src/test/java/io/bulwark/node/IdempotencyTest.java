package io.bulwark.node;

import static io.bulwark.node.ApiClient.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Stripe-grade Idempotency-Key semantics, over HTTP against a running node. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IdempotencyTest {
  private SingleNodeFixture f;
  private String admin;

  @BeforeAll
  void start() {
    f = new SingleNodeFixture();
    admin = f.ledger.tenantWithAdmin("idem");
    f.ledger.account("idem", admin, "bank", "EUR", null);
    f.ledger.account("idem", admin, "alice", "EUR", 0L);
  }

  @AfterAll
  void stop() throws Exception {
    f.close();
  }

  @Test
  void theSameTransferSentTwentyTimesConcurrentlyExecutesOnce() throws Exception {
    long before = f.ledger.balance("idem", admin, "alice");
    var pool = Executors.newFixedThreadPool(20);
    try {
      List<Callable<ApiClient.Response>> calls = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        calls.add(() -> f.ledger.transfer("idem", admin, "burst-1", "bank", "alice", 700, "EUR"));
      }
      List<ApiClient.Response> responses = new ArrayList<>();
      for (Future<ApiClient.Response> r : pool.invokeAll(calls)) {
        responses.add(r.get());
      }
      long replays =
          responses.stream().filter(r -> r.header("Idempotent-Replayed").isPresent()).count();
      for (var r : responses) {
        assertEquals(201, r.status(), r.body());
        assertEquals("burst-1", r.json().get("id").asText());
      }
      assertEquals(19, replays, "all but the first are answered as replays");
    } finally {
      pool.shutdown();
    }
    assertEquals(before + 700, f.ledger.balance("idem", admin, "alice"));
  }

  @Test
  void theSameKeyWithAnotherBodyIsRefused() {
    assertEquals(
        201, f.ledger.transfer("idem", admin, "reuse-1", "bank", "alice", 10, "EUR").status());
    var other = f.ledger.transfer("idem", admin, "reuse-1", "bank", "alice", 11, "EUR");
    assertEquals(422, other.status());
    assertEquals("idempotency_key_reused", other.code());
  }

  @Test
  void aRepeatedRequestGetsTheSameStatusAndBody() {
    var first = f.ledger.transfer("idem", admin, "repeat-1", "bank", "alice", 5, "EUR");
    var second = f.ledger.transfer("idem", admin, "repeat-1", "bank", "alice", 5, "EUR");
    assertEquals(201, second.status());
    assertEquals(first.json(), second.json());
    assertEquals("true", second.header("Idempotent-Replayed").orElseThrow());
  }

  @Test
  void aRefusalReplayedStaysTheSameRefusal() {
    var refused = f.ledger.transfer("idem", admin, "refuse-1", "alice", "bank", 1_000_000, "EUR");
    assertEquals(422, refused.status());
    assertEquals("insufficient_funds", refused.code());
    // Funds arrive, but a refusal is final for its key: use a new key to try again.
    assertEquals(
        201,
        f.ledger.transfer("idem", admin, "topup-1", "bank", "alice", 2_000_000, "EUR").status());
    var replayed = f.ledger.transfer("idem", admin, "refuse-1", "alice", "bank", 1_000_000, "EUR");
    assertEquals(422, replayed.status());
    assertEquals(withoutRequestId(refused), withoutRequestId(replayed));
  }

  @Test
  void keysAreScopedToTheirTenant() {
    String other = f.ledger.tenantWithAdmin("idem-other");
    f.ledger.account("idem-other", other, "bank", "EUR", null);
    f.ledger.account("idem-other", other, "alice", "EUR", 0L);
    assertEquals(
        201, f.ledger.transfer("idem", admin, "shared-key", "bank", "alice", 3, "EUR").status());
    var elsewhere = f.ledger.transfer("idem-other", other, "shared-key", "bank", "alice", 4, "EUR");
    assertEquals(201, elsewhere.status(), "another tenant's key space is its own");
    assertEquals(4, f.ledger.balance("idem-other", other, "alice"));
  }

  @Test
  void aPlainRequestCarriesNoReplayHeader() {
    var fresh =
        f.api.send(
            post("/v1/tenants/idem/transfers")
                .key(admin)
                .header("Idempotency-Key", "fresh-1")
                .json(Map.of("from", "bank", "to", "alice", "amount", 1, "currency", "EUR")));
    assertEquals(201, fresh.status());
    assertTrue(fresh.header("Idempotent-Replayed").isEmpty());
  }

  @Test
  void aMaximalKeyOfAwkwardCharactersWorksEndToEnd() throws Exception {
    String key = ("|%/ ?#a" + "x".repeat(20)).repeat(10).substring(0, 255);
    assertEquals(255, key.length());
    var created = f.ledger.transfer("idem", admin, key, "bank", "alice", 9, "EUR");
    assertEquals(201, created.status(), created.body());
    assertEquals(key, created.json().get("id").asText());
    String location = created.header("Location").orElseThrow();
    var read = f.api.send(ApiClient.get(location).key(admin));
    assertEquals(200, read.status(), read.body());
    assertEquals(key, read.json().get("id").asText());
    var replay = f.ledger.transfer("idem", admin, key, "bank", "alice", 9, "EUR");
    assertEquals("true", replay.header("Idempotent-Replayed").orElseThrow());
    io.bulwark.testing.Eventually.await(
        java.time.Duration.ofSeconds(15),
        () -> {
          var listed = f.api.send(ApiClient.get("/v1/tenants/idem/transfers?limit=200").key(admin));
          assertTrue(
              listed.body().contains(created.json().get("id").toString()), "in the read model");
        });
  }

  /** The body without what belongs to each request: its request and trace ids. */
  private static ObjectNode withoutRequestId(ApiClient.Response response) {
    var body = (ObjectNode) response.json();
    body.remove("requestId");
    body.remove("traceId");
    return body;
  }
}
