package io.bulwark.node;

import static io.bulwark.node.ApiClient.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.testing.TestDatabase;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Rate limits on a real two-node cluster over HTTP. The nodes trust loopback as a proxy, so each
 * test speaks for its own client address through X-Forwarded-For (addresses from the RFC 5737
 * documentation ranges, which are never contacted).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RateLimitTest {
  private static final String LIMITS =
      """
      bulwark.limits.trusted-proxies = ["127.0.0.0/8"]
      bulwark.limits.ip { requests-per-second = 40, burst = 40 }
      bulwark.limits.auth-failures { per-minute = 6, burst = 5 }
      """;
  private static final String TENANT = "limited";
  private static final String OTHER = "other";

  private TestDatabase db;
  private String platformKey;
  private TestNode a;
  private TestNode b;
  private ApiClient apiA;
  private Ledger ledger;
  private String admin;
  private String otherAdmin;
  private final AtomicInteger transferIds = new AtomicInteger();

  @BeforeAll
  void startTwoNodes() throws Exception {
    db = TestDatabase.create();
    platformKey = TestNode.newPlatformKey();
    a = TestNode.seed(db, platformKey).withConfig(LIMITS).start();
    b = TestNode.joining(db, platformKey, a).withConfig(LIMITS).start();
    a.awaitMembersUp(2);
    b.awaitMembersUp(2);
    apiA = new ApiClient(a.baseUrl(), new OpenApiContract());
    ledger = new Ledger(apiA, platformKey);
    admin = ledger.tenantWithAdmin(TENANT);
    otherAdmin = ledger.tenantWithAdmin(OTHER);
    ledger.account(TENANT, admin, "bank", "EUR", null);
    ledger.account(TENANT, admin, "shop", "EUR", 0L);
  }

  @AfterAll
  void stop() throws Exception {
    try {
      b.stop();
      a.stop();
    } finally {
      db.close();
    }
  }

  private ApiClient.Response putLimits(String key, String tenant, Object body) {
    return apiA.send(
        new ApiClient.Call("PUT", "/v1/tenants/" + tenant + "/limits").key(key).json(body));
  }

  private static Map<String, Object> limits(int writes, int writeBurst, int reads, int readBurst) {
    return Map.of(
        "writesPerSecond",
        writes,
        "writeBurst",
        writeBurst,
        "readsPerSecond",
        reads,
        "readBurst",
        readBurst);
  }

  private HttpRequest transfer(String baseUrl, String clientIp) {
    String json = "{\"from\":\"bank\",\"to\":\"shop\",\"amount\":1,\"currency\":\"EUR\"}";
    return Paced.request(baseUrl + "/v1/tenants/" + TENANT + "/transfers")
        .header("Authorization", "Bearer " + admin)
        .header("Idempotency-Key", "rl-" + transferIds.incrementAndGet())
        .header("Content-Type", "application/json")
        .header("X-Forwarded-For", clientIp)
        .POST(HttpRequest.BodyPublishers.ofString(json))
        .build();
  }

  @Test
  void twoNodesTogetherHoldATenantToItsLimitAndSay429WithHeaders() throws Exception {
    // A burst of 10 is 5 per node: a per-node bucket of 1 would drop refills between arrivals.
    var set = putLimits(platformKey, TENANT, limits(20, 10, 1000, 1000));
    assertEquals(200, set.status(), set.body());
    assertEquals("tenant", set.json().get("source").asText());
    Thread.sleep(1_500); // the per-node buckets refill to their share of the new burst

    // 40 writes a second for 10 s, alternating between the nodes, each from its own address so
    // that only the tenant's limit applies.
    var results =
        Paced.run(
            40,
            Duration.ofSeconds(10),
            i -> transfer(i % 2 == 0 ? a.baseUrl() : b.baseUrl(), "192.0.2." + (1 + i % 200)));

    long accepted = results.count(201);
    long limited = results.count(429);
    System.out.printf(
        "RateLimitTest: limit 20/s on two nodes, offered 40/s for 10 s: %s%n", results.byStatus());
    assertEquals(400, accepted + limited, "only 201 or 429: " + results.byStatus());
    assertTrue(
        accepted >= 180 && accepted <= 220,
        "20/s for 10 s is 200 (+ the burst of 10), within 10%: " + accepted);
    var refusal = results.answers.stream().filter(r -> r.status() == 429).findFirst().orElseThrow();
    var headers = refusal.response().headers();
    long retryAfter = Long.parseLong(headers.firstValue("Retry-After").orElseThrow());
    assertEquals(1, retryAfter, "a token comes back within a second");
    String policy = headers.firstValue("RateLimit-Policy").orElseThrow();
    assertTrue(policy.contains("\"tenant-write\";q=10;w=1"), policy);
    assertTrue(headers.firstValue("RateLimit").orElseThrow().contains("\"tenant-write\";r=0;"));
    var body = ApiClient.JSON.readTree(refusal.response().body());
    assertEquals("rate_limited", body.get("code").asText());
    assertEquals(429, body.get("status").asInt());
  }

  /** Reads of the tenant at 200/s from one address with {@code key}. */
  private Paced.Results fromAddress(String ip, String key, Duration duration) throws Exception {
    return Paced.run(
        200,
        duration,
        i ->
            Paced.request(a.baseUrl() + "/v1/tenants/" + TENANT)
                .header("Authorization", "Bearer " + key)
                .header("X-Forwarded-For", ip)
                .build());
  }

  @Test
  void theIpLimitHoldsBeforeAuthentication() throws Exception {
    String ip = "198.51.100.7";
    var flood = fromAddress(ip, admin, Duration.ofSeconds(1));
    assertTrue(flood.count(200) >= 40 && flood.count(200) <= 85, "" + flood.byStatus());
    assertTrue(flood.count(429) >= 100, "" + flood.byStatus());

    // Spent, the address is refused before its key is looked at: bad keys get 429, not 401. Sent
    // at five times the refill, so the few tokens that come back meanwhile (40/s, and a loaded
    // machine may be slow to send) let through at most a fifth of them to be told 401.
    var badKeys = fromAddress(ip, "bwk_nope", Duration.ofMillis(500));
    assertEquals(100, badKeys.count(429) + badKeys.count(401), "" + badKeys.byStatus());
    assertTrue(badKeys.count(429) >= 60, "" + badKeys.byStatus());
    var refused = badKeys.answers.stream().filter(r -> r.status() == 429).findFirst().orElseThrow();
    var headers = refused.response().headers();
    assertTrue(headers.firstValue("RateLimit-Policy").orElseThrow().startsWith("\"ip\";q=40;w=1"));
    assertTrue(headers.firstValue("Retry-After").isPresent());
    var body = ApiClient.JSON.readTree(refused.response().body());
    assertEquals("rate_limited", body.get("code").asText());

    var elsewhere =
        apiA.send(
            get("/v1/tenants/" + TENANT).key(admin).header("X-Forwarded-For", "198.51.100.8"));
    assertEquals(200, elsewhere.status(), elsewhere.body());
  }

  @Test
  void repeatedAuthenticationFailuresLockAnAddressOut() {
    String ip = "203.0.113.5";
    for (int i = 0; i < 5; i++) {
      var failed =
          apiA.send(
              get("/v1/tenants/" + TENANT).key("bwk_guess" + i).header("X-Forwarded-For", ip));
      assertEquals(401, failed.status(), failed.body());
    }
    var locked = apiA.send(get("/v1/tenants/" + TENANT).key(admin).header("X-Forwarded-For", ip));
    assertEquals(429, locked.status(), "even a good key waits: " + locked.body());
    assertEquals("rate_limited", locked.code());
    assertTrue(locked.header("RateLimit-Policy").orElseThrow().contains("\"auth-failures\""));
    assertEquals("10", locked.header("Retry-After").orElseThrow());

    var elsewhere =
        apiA.send(get("/v1/tenants/" + TENANT).key(admin).header("X-Forwarded-For", "203.0.113.6"));
    assertEquals(200, elsewhere.status(), elsewhere.body());
  }

  @Test
  void limitsAreSetByThePlatformOnlyAndReadByTheTenant() {
    var byAdmin = putLimits(otherAdmin, OTHER, limits(1, 1, 1, 1));
    assertEquals(403, byAdmin.status(), byAdmin.body());
    var foreign = putLimits(otherAdmin, TENANT, limits(1, 1, 1, 1));
    assertEquals(404, foreign.status(), foreign.body());
    var unknown = putLimits(platformKey, "no-such-tenant", limits(1, 1, 1, 1));
    assertEquals(404, unknown.status(), unknown.body());

    var initial = apiA.send(get("/v1/tenants/" + OTHER + "/limits").key(otherAdmin));
    assertEquals(200, initial.status(), initial.body());
    assertEquals("default", initial.json().get("source").asText());
    assertTrue(initial.header("RateLimit-Policy").orElseThrow().contains("\"tenant-read\""));

    var set = putLimits(platformKey, OTHER, limits(7, 14, 70, 140));
    assertEquals(200, set.status(), set.body());
    var read = apiA.send(get("/v1/tenants/" + OTHER + "/limits").key(otherAdmin));
    assertEquals(7, read.json().get("writesPerSecond").asInt());
    assertEquals(140, read.json().get("readBurst").asInt());
    assertEquals("tenant", read.json().get("source").asText());

    var cleared =
        apiA.send(
            new ApiClient.Call("DELETE", "/v1/tenants/" + OTHER + "/limits").key(platformKey));
    assertEquals(200, cleared.status(), cleared.body());
    assertEquals("default", cleared.json().get("source").asText());
  }

  @Test
  void anInvalidLimitsBodyIs400NamingTheMember() {
    Map<String, Object> zero = new java.util.HashMap<>(limits(1, 1, 1, 1));
    zero.put("writeBurst", 0);
    Map<String, Object> text = new java.util.HashMap<>(limits(1, 1, 1, 1));
    text.put("readsPerSecond", "many");
    Map<String, Object> huge = new java.util.HashMap<>(limits(1, 1, 1, 1));
    huge.put("readBurst", 5_000_000_000L);
    Map<String, Object> missing = new java.util.HashMap<>(limits(1, 1, 1, 1));
    missing.remove("writesPerSecond");
    for (var entry :
        Map.of(
                "writeBurst", zero,
                "readsPerSecond", text,
                "readBurst", huge,
                "writesPerSecond", missing)
            .entrySet()) {
      var refused = putLimits(platformKey, OTHER, entry.getValue());
      assertEquals(400, refused.status(), refused.body());
      assertEquals(entry.getKey(), refused.json().get("member").asText(), refused.body());
    }
    var notJson =
        apiA.send(
            new ApiClient.Call("PUT", "/v1/tenants/" + OTHER + "/limits")
                .key(platformKey)
                .body("{\"writesPerSecond\":"));
    assertEquals(400, notJson.status(), notJson.body());
  }
}
