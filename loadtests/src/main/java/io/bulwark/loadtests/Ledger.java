package io.bulwark.loadtests;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionStage;

/**
 * The tenants, keys and funded accounts a benchmark moves money between, made over the API, and a
 * random transfer among them. Tenants get limits far above the load, so what refuses the load is
 * the node's admission control, not the tenants' buckets.
 */
final class Ledger {
  private static final ObjectMapper JSON = new ObjectMapper();

  record Tenant(String id, String key, int accounts) {}

  final List<Tenant> tenants = new ArrayList<>();
  private final Api api;
  private final String runId;

  private Ledger(Api api, String runId) {
    this.api = api;
    this.runId = runId;
  }

  static Ledger create(Api api, String platformKey, int tenantCount, int accounts)
      throws Exception {
    String runId = Long.toString(System.currentTimeMillis(), 36);
    var ledger = new Ledger(api, runId);
    for (int t = 0; t < tenantCount; t++) {
      String id = "lt-" + runId + "-" + t;
      api.call("POST", "/v1/tenants", platformKey, json(Map.of("id", id, "name", id)), 201);
      api.call(
          "PUT",
          "/v1/tenants/" + id + "/limits",
          platformKey,
          json(
              Map.of(
                  "writesPerSecond",
                  1_000_000,
                  "writeBurst",
                  1_000_000,
                  "readsPerSecond",
                  1_000_000,
                  "readBurst",
                  1_000_000)),
          200);
      var issued =
          api.call(
              "POST",
              "/v1/tenants/" + id + "/api-keys",
              platformKey,
              json(Map.of("name", "loadtest", "roles", List.of("operator"))),
              201);
      String key = JSON.readTree(issued.body()).get("secret").asText();
      var bank = new java.util.HashMap<String, Object>();
      bank.put("id", "bank");
      bank.put("currency", "EUR");
      bank.put("overdraftLimit", null);
      api.call("POST", "/v1/tenants/" + id + "/accounts", key, json(bank), 201);
      for (int a = 0; a < accounts; a++) {
        api.call(
            "POST",
            "/v1/tenants/" + id + "/accounts",
            key,
            json(Map.of("id", "acc-" + a, "currency", "EUR")),
            201);
        api.call(
            "POST",
            "/v1/tenants/" + id + "/transfers",
            key,
            json(
                Map.of(
                    "from", "bank", "to", "acc-" + a, "amount", 1_000_000_000L, "currency", "EUR")),
            201,
            Map.of("Idempotency-Key", "fund-" + a));
      }
      ledger.tenants.add(new Tenant(id, key, accounts));
    }
    return ledger;
  }

  /** Transfer number {@code i} of {@code phase}: a random pair of one tenant's accounts. */
  CompletionStage<Api.Answer> transfer(String phase, long i) {
    var random = new SplittableRandom(i * 31 + phase.hashCode());
    Tenant t = tenantOf(i);
    int from = random.nextInt(t.accounts());
    int to = (from + 1 + random.nextInt(t.accounts() - 1)) % t.accounts();
    String body =
        "{\"from\":\"acc-"
            + from
            + "\",\"to\":\"acc-"
            + to
            + "\",\"amount\":1,\"currency\":\"EUR\"}";
    return api.send(
            "POST",
            "/v1/tenants/" + t.id() + "/transfers",
            t.key(),
            Map.of("Idempotency-Key", runId + "-" + phase + "-" + i),
            body)
        .thenApply(a -> a.as("transfer"));
  }

  /**
   * Hot-account transfer number {@code i}: every debit from the first tenant's acc-0, to one of its
   * other accounts, so that one account entity decides them all.
   */
  CompletionStage<Api.Answer> hotTransfer(long i) {
    Tenant t = tenants.get(0);
    int to = 1 + new SplittableRandom(i).nextInt(t.accounts() - 1);
    String body =
        "{\"from\":\"acc-0\",\"to\":\"acc-" + to + "\",\"amount\":1,\"currency\":\"EUR\"}";
    return api.send(
            "POST",
            "/v1/tenants/" + t.id() + "/transfers",
            t.key(),
            Map.of("Idempotency-Key", runId + "-hot-" + i),
            body)
        .thenApply(a -> a.as("transfer"));
  }

  /** The tenant request number {@code i} goes to. */
  Tenant tenantOf(long i) {
    return tenants.get((int) (i % tenants.size()));
  }

  /** Read number {@code i}: one account of one tenant, from its entity (a strong read). */
  CompletionStage<Api.Answer> read(long i) {
    Tenant t = tenantOf(i);
    String account = "acc-" + new SplittableRandom(i).nextInt(t.accounts());
    return api.send(
            "GET", "/v1/tenants/" + t.id() + "/accounts/" + account, t.key(), Map.of(), null)
        .thenApply(a -> a.as("read"));
  }

  /** List number {@code i}: the newest page of one account's entries, from the read model. */
  CompletionStage<Api.Answer> list(long i) {
    Tenant t = tenantOf(i);
    String account = "acc-" + new SplittableRandom(i).nextInt(t.accounts());
    return api.send(
            "GET",
            "/v1/tenants/" + t.id() + "/accounts/" + account + "/entries?limit=20",
            t.key(),
            Map.of(),
            null)
        .thenApply(a -> a.as("list"));
  }

  /**
   * Request number {@code i} of the mix the k6 scenarios send (loadtests/k6/lib/bulwark.js): 70 %
   * transfers, 20 % strong reads, 10 % lists.
   */
  CompletionStage<Api.Answer> mixed(String phase, long i) {
    double roll = new SplittableRandom(i * 17 + phase.hashCode()).nextDouble();
    if (roll < 0.7) {
      return transfer(phase, i);
    }
    return roll < 0.9 ? read(i) : list(i);
  }

  static String json(Object value) throws Exception {
    return JSON.writeValueAsString(value);
  }
}
