package io.bulwark.node;

import static io.bulwark.node.ApiClient.get;
import static io.bulwark.node.ApiClient.post;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Test vocabulary over the API: tenants, keys, accounts and transfers in one line each. */
final class Ledger {
  final ApiClient api;
  final String platformKey;

  Ledger(ApiClient api, String platformKey) {
    this.api = api;
    this.platformKey = platformKey;
  }

  /** Creates a tenant and returns the secret of an admin key for it. */
  String tenantWithAdmin(String tenantId) {
    var created =
        api.send(
            post("/v1/tenants").key(platformKey).json(Map.of("id", tenantId, "name", tenantId)));
    assertEquals(201, created.status(), created.body());
    return key(tenantId, platformKey, "admin");
  }

  String key(String tenantId, String issuerKey, String... roles) {
    var issued =
        api.send(
            post("/v1/tenants/" + tenantId + "/api-keys")
                .key(issuerKey)
                .json(Map.of("name", "test", "roles", List.of(roles))));
    assertEquals(201, issued.status(), issued.body());
    return issued.json().get("secret").asText();
  }

  JsonNode account(String tenantId, String key, String accountId, String currency, Long overdraft) {
    Map<String, Object> body = new HashMap<>();
    body.put("id", accountId);
    body.put("currency", currency);
    body.put("overdraftLimit", overdraft);
    var created = api.send(post("/v1/tenants/" + tenantId + "/accounts").key(key).json(body));
    assertEquals(201, created.status(), created.body());
    return created.json();
  }

  ApiClient.Response transfer(
      String tenantId,
      String key,
      String idempotencyKey,
      String from,
      String to,
      long amount,
      String currency) {
    return api.send(
        post("/v1/tenants/" + tenantId + "/transfers")
            .key(key)
            .header("Idempotency-Key", idempotencyKey)
            .json(Map.of("from", from, "to", to, "amount", amount, "currency", currency)));
  }

  long balance(String tenantId, String key, String accountId) {
    var account = api.send(get("/v1/tenants/" + tenantId + "/accounts/" + accountId).key(key));
    assertEquals(200, account.status(), account.body());
    return account.json().get("balance").asLong();
  }

  /** A tenant with an unlimited "bank" and {@code accounts} accounts funded from it. */
  record Funded(String admin, Map<String, Long> limits, List<String> funding) {
    List<String> accounts() {
      return List.copyOf(limits.keySet()).subList(1, limits.size());
    }
  }

  /**
   * Creates {@code tenantId} with an unlimited account "bank" and accounts acc-0.. (overdraft limit
   * 0), each funded with {@code amount} from the bank by a transfer fund-acc-N.
   */
  Funded funded(String tenantId, int accounts, long amount, String currency) {
    String admin = tenantWithAdmin(tenantId);
    Map<String, Long> limits = new java.util.LinkedHashMap<>();
    limits.put("bank", null);
    account(tenantId, admin, "bank", currency, null);
    List<String> funding = new java.util.ArrayList<>();
    for (int i = 0; i < accounts; i++) {
      String id = "acc-" + i;
      limits.put(id, 0L);
      account(tenantId, admin, id, currency, 0L);
      var funded = transfer(tenantId, admin, "fund-" + id, "bank", id, amount, currency);
      assertEquals(201, funded.status(), funded.body());
      funding.add("fund-" + id);
    }
    return new Funded(admin, limits, funding);
  }
}
