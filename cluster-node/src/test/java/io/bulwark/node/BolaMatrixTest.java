package io.bulwark.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Broken object-level authorization, cell by cell (OWASP API1:2023): every operation of the API
 * against every kind of caller, on a real node over HTTP, each cell with the status it must get.
 * Tenant A's resources are the objects; tenant B's admin is the attacker next door.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BolaMatrixTest {
  private static final String A = "bola-a";
  private static final String B = "bola-b";

  /** The callers, in the order of the matrix's columns. */
  private static final List<String> CALLERS =
      List.of(
          "admin", "operator", "viewer", "other-admin", "platform", "no-key", "expired", "revoked");

  private SingleNodeFixture f;
  private String webhookId;
  private String deliveryId;
  private String recoveryId;
  private final Map<String, String> keys = new LinkedHashMap<>();
  private final AtomicInteger unique = new AtomicInteger();

  /** One operation: how to call it for a caller, and the status each caller must get. */
  private record Operation(
      String name, Function<String, ApiClient.Call> call, Map<String, Integer> expected) {}

  @BeforeAll
  void start() throws Exception {
    // Dozens of deliberate 401s from one address: the per-IP lockout would answer 429 instead.
    f =
        new SingleNodeFixture(
            "bulwark.limits.auth-failures { per-minute = 100000, burst = 100000 }",
            node ->
                node.withWebhooks(
                    "127.0.0.1/32",
                    java.util.Optional.of("1h"),
                    host -> {
                      throw new java.net.UnknownHostException(host);
                    }));
    String adminA = f.ledger.tenantWithAdmin(A);
    // before the accounts, so that their openings are queued for it (port 9: nobody listens)
    webhookId = webhook(adminA);
    keys.put("admin", adminA);
    keys.put("operator", f.ledger.key(A, adminA, "operator"));
    keys.put("viewer", f.ledger.key(A, adminA, "viewer"));
    keys.put("other-admin", f.ledger.tenantWithAdmin(B));
    keys.put("platform", f.platformKey);
    keys.put("no-key", null);
    f.ledger.account(A, adminA, "world", "EUR", null);
    f.ledger.account(A, adminA, "alice", "EUR", 0L);
    var deposit =
        f.api.send(
            ApiClient.post("/v1/tenants/" + A + "/transfers")
                .key(adminA)
                .header("Idempotency-Key", "seed")
                .json(Map.of("from", "world", "to", "alice", "amount", 1000, "currency", "EUR")));
    assertEquals(201, deposit.status(), deposit.body());
    String hooks = "/v1/tenants/" + A + "/webhooks/" + webhookId;
    io.bulwark.testing.Eventually.await(
        Duration.ofSeconds(30),
        () -> {
          var queued = f.api.send(ApiClient.get(hooks + "/deliveries").key(adminA));
          assertEquals(200, queued.status(), queued.body());
          assertTrue(queued.json().get("items").size() > 0, queued.body());
          deliveryId = queued.json().get("items").get(0).get("webhookId").asText();
        });
    var recovery =
        f.api.send(
            ApiClient.post(hooks + "/recover")
                .key(adminA)
                .json(Map.of("since", Instant.now().minusSeconds(60).toString())));
    assertEquals(202, recovery.status(), recovery.body());
    recoveryId = recovery.json().get("id").asText();

    String revoked = f.ledger.key(A, adminA, "admin");
    assertEquals(
        204,
        f.api
            .send(ApiClient.delete("/v1/tenants/" + A + "/api-keys/" + keyId(revoked)).key(adminA))
            .status());
    keys.put("revoked", revoked);
    var expiring =
        f.api.send(
            ApiClient.post("/v1/tenants/" + A + "/api-keys")
                .key(adminA)
                .json(
                    Map.of(
                        "name", "expiring",
                        "roles", List.of("admin"),
                        "expiresAt", Instant.now().plusSeconds(1).toString())));
    assertEquals(201, expiring.status(), expiring.body());
    String expired = expiring.json().get("secret").asText();
    keys.put("expired", expired);
    io.bulwark.testing.Eventually.await(
        Duration.ofSeconds(15),
        () ->
            assertEquals(
                401,
                f.api.send(ApiClient.get("/v1/tenants/" + A).key(expired)).status(),
                "the expiring key has expired"));
  }

  @AfterAll
  void stop() throws Exception {
    f.close();
  }

  @Test
  void everyCallerGetsExactlyTheRightsOfItsRole() {
    Map<String, Map<String, Integer>> expected = new LinkedHashMap<>();
    Map<String, Map<String, Integer>> actual = new LinkedHashMap<>();
    for (Operation op : operations()) {
      Map<String, Integer> row = new LinkedHashMap<>();
      for (String caller : CALLERS) {
        row.put(caller, f.api.send(op.call().apply(caller).key(keys.get(caller))).status());
      }
      expected.put(op.name(), op.expected());
      actual.put(op.name(), row);
    }
    System.out.println(table(actual));
    assertEquals(expected, actual, "expected:\n" + table(expected) + "\nactual:\n" + table(actual));
  }

  private List<Operation> operations() {
    String t = "/v1/tenants/" + A;
    return List.of(
        op(
            "createTenant",
            c -> post("/v1/tenants", Map.of("id", "t" + n(), "name", "x")),
            onlyPlatform(201, 403)),
        op("getTenant", c -> ApiClient.get(t), everyone(200, 200)),
        op("getTenantLimits", c -> ApiClient.get(t + "/limits"), everyone(200, 200)),
        op(
            "setTenantLimits",
            c -> ApiClient.put(t + "/limits").json(limits()),
            platform(200, 403, 403, 403)),
        op("clearTenantLimits", c -> ApiClient.delete(t + "/limits"), platform(200, 403, 403, 403)),
        op(
            "createApiKey",
            c -> post(t + "/api-keys", Map.of("name", "k", "roles", List.of("viewer"))),
            platform(201, 201, 403, 403)),
        op("listApiKeys", c -> ApiClient.get(t + "/api-keys"), platform(200, 200, 403, 403)),
        op(
            "rotateApiKey",
            c -> post(t + "/api-keys/" + keyId(freshKey()) + "/rotate", Map.of()),
            platform(201, 201, 403, 403)),
        op(
            "changeApiKeyRoles",
            c ->
                ApiClient.patch(t + "/api-keys/" + keyId(freshKey()))
                    .json(Map.of("roles", List.of("operator"))),
            platform(200, 200, 403, 403)),
        op(
            "revokeApiKey",
            c -> ApiClient.delete(t + "/api-keys/" + keyId(freshKey())),
            platform(204, 204, 403, 403)),
        op(
            "createAccount",
            c -> post(t + "/accounts", Map.of("id", "a" + n(), "currency", "EUR")),
            money(201, 201, 403)),
        op("getAccount", c -> ApiClient.get(t + "/accounts/alice"), money(200, 200, 200)),
        op("listAccounts", c -> ApiClient.get(t + "/accounts"), money(200, 200, 200)),
        op("listEntries", c -> ApiClient.get(t + "/accounts/alice/entries"), money(200, 200, 200)),
        op(
            "createTransfer",
            c ->
                post(
                        t + "/transfers",
                        Map.of("from", "world", "to", "alice", "amount", 1, "currency", "EUR"))
                    .header("Idempotency-Key", "m-" + n()),
            money(201, 201, 403)),
        op(
            "createTransferBatch",
            c ->
                ApiClient.post(t + "/transfers:batch")
                    .contentType("application/x-ndjson")
                    .body(
                        "{\"idempotencyKey\":\"b-"
                            + n()
                            + "\",\"from\":\"world\",\"to\":\"alice\",\"amount\":1,\"currency\":\"EUR\"}\n"),
            money(200, 200, 403)),
        op("getTransfer", c -> ApiClient.get(t + "/transfers/seed"), money(200, 200, 200)),
        op("listTransfers", c -> ApiClient.get(t + "/transfers"), money(200, 200, 200)),
        op(
            "listAuditEvents",
            c -> ApiClient.get(t + "/audit-events"),
            platform(200, 200, 403, 403)),
        op(
            "verifyAuditEvents",
            c -> ApiClient.get(t + "/audit-events/verification"),
            platform(200, 200, 403, 403)),
        op(
            "createWebhook",
            c -> post(t + "/webhooks", webhookBody()),
            platform(201, 201, 403, 403)),
        op("listWebhooks", c -> ApiClient.get(t + "/webhooks"), platform(200, 200, 403, 403)),
        op(
            "getWebhook",
            c -> ApiClient.get(t + "/webhooks/" + webhookId),
            platform(200, 200, 403, 403)),
        op(
            "updateWebhook",
            c -> ApiClient.patch(t + "/webhooks/" + webhookId).json(Map.of("enabled", true)),
            platform(200, 200, 403, 403)),
        op(
            "rotateWebhookSecret",
            c -> post(t + "/webhooks/" + webhookId + "/rotate-secret", Map.of()),
            platform(200, 200, 403, 403)),
        op(
            "deleteWebhook",
            c -> ApiClient.delete(t + "/webhooks/" + webhook(keys.get("admin"))),
            platform(204, 204, 403, 403)),
        op(
            "listWebhookDeliveries",
            c -> ApiClient.get(t + "/webhooks/" + webhookId + "/deliveries"),
            platform(200, 200, 200, 403)),
        op(
            "listWebhookDeadLetters",
            c -> ApiClient.get(t + "/webhooks/" + webhookId + "/dead-letters"),
            platform(200, 200, 200, 403)),
        op(
            "resendWebhookDelivery",
            c ->
                post(
                    t + "/webhooks/" + webhookId + "/deliveries/" + deliveryId + "/resend",
                    Map.of()),
            platform(202, 202, 202, 403)),
        op(
            "replayWebhook",
            c -> post(t + "/webhooks/" + webhookId + "/replay", Map.of()),
            platform(202, 202, 202, 403)),
        op(
            "recoverWebhook",
            c ->
                post(
                    t + "/webhooks/" + webhookId + "/recover",
                    Map.of("since", Instant.now().minusSeconds(60).toString())),
            platform(202, 202, 202, 403)),
        op(
            "getWebhookRecovery",
            c -> ApiClient.get(t + "/webhooks/" + webhookId + "/recoveries/" + recoveryId),
            platform(200, 200, 200, 403)),
        op(
            "listPlatformAuditEvents",
            c -> ApiClient.get("/v1/audit-events"),
            onlyPlatform(200, 403)),
        op(
            "verifyPlatformAuditEvents",
            c -> ApiClient.get("/v1/audit-events/verification"),
            onlyPlatform(200, 403)),
        op(
            "listProjectionDeadLetters",
            c -> ApiClient.get("/v1/projection-dead-letters"),
            onlyPlatform(200, 403)),
        op(
            "replayProjectionDeadLetters",
            c -> post(t + "/projection-dead-letters/replay", Map.of()),
            platform(200, 403, 403, 403)),
        op(
            "getReconciliation",
            c -> ApiClient.get(t + "/reconciliation"),
            platform(200, 403, 403, 403)));
  }

  private static Operation op(
      String name, Function<String, ApiClient.Call> call, Map<String, Integer> expected) {
    return new Operation(name, call, expected);
  }

  /** Platform administration of tenant A: the platform, then admin, operator, viewer. */
  private static Map<String, Integer> platform(int platform, int admin, int operator, int viewer) {
    return row(admin, operator, viewer, 404, platform);
  }

  /** Money and accounts: this tenant's keys by role; never the platform key (403). */
  private static Map<String, Integer> money(int admin, int operator, int viewer) {
    return row(admin, operator, viewer, 404, 403);
  }

  private static Map<String, Integer> everyone(int tenantKeys, int platform) {
    return row(tenantKeys, tenantKeys, tenantKeys, 404, platform);
  }

  /** Not about tenant A at all: the platform key, or 403 for any tenant's key. */
  private static Map<String, Integer> onlyPlatform(int platform, int tenantKeys) {
    return row(tenantKeys, tenantKeys, tenantKeys, tenantKeys, platform);
  }

  private static Map<String, Integer> row(
      int admin, int operator, int viewer, int otherAdmin, int platform) {
    Map<String, Integer> row = new LinkedHashMap<>();
    row.put("admin", admin);
    row.put("operator", operator);
    row.put("viewer", viewer);
    row.put("other-admin", otherAdmin);
    row.put("platform", platform);
    row.put("no-key", 401);
    row.put("expired", 401);
    row.put("revoked", 401);
    return row;
  }

  /** A new endpoint of tenant A (made with its admin key); its id. */
  private String webhook(String adminKey) {
    var created =
        f.api.send(
            ApiClient.post("/v1/tenants/" + A + "/webhooks").key(adminKey).json(webhookBody()));
    assertEquals(201, created.status(), created.body());
    return created.json().get("id").asText();
  }

  private static Map<String, Object> webhookBody() {
    return Map.of("url", "http://127.0.0.1:9/hooks", "events", List.of("account.created"));
  }

  private String freshKey() {
    return f.ledger.key(A, keys.get("admin"), "viewer");
  }

  private int n() {
    return unique.incrementAndGet();
  }

  private static Map<String, Object> limits() {
    return Map.of(
        "writesPerSecond", 1000, "writeBurst", 1000, "readsPerSecond", 1000, "readBurst", 1000);
  }

  private static ApiClient.Call post(String path, Map<String, ?> body) {
    return ApiClient.post(path).json(body);
  }

  private static String keyId(String secret) {
    String[] parts = secret.split("\\.");
    return parts[parts.length - 2];
  }

  private static String table(Map<String, Map<String, Integer>> rows) {
    var out = new StringBuilder(String.format("%-26s", "operation"));
    CALLERS.forEach(c -> out.append(String.format("%12s", c)));
    rows.forEach(
        (name, row) -> {
          out.append('\n').append(String.format("%-26s", name));
          CALLERS.forEach(c -> out.append(String.format("%12s", row.get(c))));
        });
    return out.toString();
  }
}
