package io.bulwark.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.bulwark.node.FuzzRequests.World;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The objects the fuzz aims at: two tenants with keys of every role, funded accounts in two
 * currencies, transfers, webhook endpoints with a delivery and a recover job. The keys the fuzz may
 * revoke, rotate or re-role are spare ones, never a caller's: a caller whose key the fuzz revoked
 * would turn every later request into a 401 and lock its address out.
 */
final class FuzzWorld {
  private FuzzWorld() {}

  static World build(SingleNodeFixture f, String a, String b) throws Exception {
    Map<String, String> keys = new LinkedHashMap<>();
    Map<String, List<String>> ids = new HashMap<>();
    String adminA = f.ledger.tenantWithAdmin(a);
    String adminB = f.ledger.tenantWithAdmin(b);
    keys.put("admin", adminA);
    keys.put("operator", f.ledger.key(a, adminA, "operator"));
    keys.put("viewer", f.ledger.key(a, adminA, "viewer"));
    keys.put("platform", f.platformKey);
    keys.put("other-admin", adminB);

    String hookA = webhook(f, a, adminA);
    String hookB = webhook(f, b, adminB);
    List<String> accounts = new ArrayList<>();
    List<String> transfers = new ArrayList<>();
    for (String tenant : List.of(a, b)) {
      String admin = tenant.equals(a) ? adminA : adminB;
      f.ledger.account(tenant, admin, "bank", "EUR", null);
      f.ledger.account(tenant, admin, "usd-bank", "USD", null);
      f.ledger.account(tenant, admin, "usd-0", "USD", 0L);
      for (int i = 0; i < 3; i++) {
        f.ledger.account(tenant, admin, "acc-" + i, "EUR", 0L);
        var funded =
            f.ledger.transfer(tenant, admin, "fund-" + i, "bank", "acc-" + i, 100_000, "EUR");
        assertEquals(201, funded.status(), funded.body());
      }
    }
    accounts.addAll(List.of("bank", "usd-bank", "usd-0", "acc-0", "acc-1", "acc-2"));
    transfers.addAll(List.of("fund-0", "fund-1", "fund-2"));

    List<String> spareKeys = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      spareKeys.add(keyId(f.ledger.key(a, adminA, "viewer")));
    }
    String spareB = keyId(f.ledger.key(b, adminB, "viewer"));
    spareKeys.add(spareB);

    String deliveries = "/v1/tenants/" + a + "/webhooks/" + hookA + "/deliveries";
    List<String> deliveryIds = new ArrayList<>();
    io.bulwark.testing.Eventually.await(
        Duration.ofSeconds(30),
        () -> {
          var queued = f.api.send(ApiClient.get(deliveries).key(adminA));
          assertEquals(200, queued.status(), queued.body());
          org.junit.jupiter.api.Assertions.assertTrue(
              queued.json().get("items").size() > 0, queued.body());
          deliveryIds.add(queued.json().get("items").get(0).get("webhookId").asText());
        });
    var recovery =
        f.api.send(
            ApiClient.post("/v1/tenants/" + a + "/webhooks/" + hookA + "/recover")
                .key(adminA)
                .json(Map.of("since", Instant.now().minusSeconds(60).toString())));
    assertEquals(202, recovery.status(), recovery.body());

    ids.put("tenantId", List.of(a, a, a, a, a, a, b, b));
    ids.put("accountId", accounts);
    ids.put("transferId", transfers);
    ids.put("keyId", spareKeys);
    ids.put("endpointId", List.of(hookA, hookA, hookA, hookB));
    ids.put("webhookId", deliveryIds);
    ids.put("recoveryId", List.of(recovery.json().get("id").asText()));
    List<String> other = List.of(b, hookB, spareB, "Account|" + b + "/bank", "bwk_" + b);
    return new World(a, b, keys, ids, other);
  }

  private static String webhook(SingleNodeFixture f, String tenant, String admin) {
    var created =
        f.api.send(
            ApiClient.post("/v1/tenants/" + tenant + "/webhooks")
                .key(admin)
                .json(
                    Map.of(
                        "url", "http://127.0.0.1:9/hooks", "events", List.of("account.created"))));
    assertEquals(201, created.status(), created.body());
    return created.json().get("id").asText();
  }

  private static String keyId(String secret) {
    String[] parts = secret.split("\\.");
    return parts[parts.length - 2];
  }
}
