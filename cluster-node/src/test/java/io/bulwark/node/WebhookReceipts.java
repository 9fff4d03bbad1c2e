package io.bulwark.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulwark.testing.LoopbackReceiver;
import io.bulwark.testing.Sql;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * What a receiver got, checked as a tenant's back end would: every signature verified by the
 * Standard Webhooks library (not our code), one webhook-id per event however often it came, and per
 * account the journal's order (each message's place read from webhook_messages).
 */
final class WebhookReceipts {
  private static final ObjectMapper JSON = new ObjectMapper();

  private WebhookReceipts() {}

  static JsonNode data(LoopbackReceiver.Received r) {
    try {
      return JSON.readTree(r.body()).get("data");
    } catch (java.io.IOException e) {
      throw new AssertionError("not JSON: " + r.body(), e);
    }
  }

  /** Verifies every request; returns the webhook-ids answered 2xx, in arrival order, once each. */
  static List<String> verified(List<LoopbackReceiver.Received> received, String secret)
      throws Exception {
    var webhook = new com.standardwebhooks.Webhook(secret);
    var bodyById = new HashMap<String, String>();
    var delivered = new LinkedHashSet<String>();
    for (var r : received) {
      webhook.verify(r.body(), r.headers());
      String id = r.header("webhook-id");
      String before = bodyById.putIfAbsent(id, r.body());
      if (before != null) {
        assertEquals(before, r.body(), "a repeat of " + id + " carries the same message");
      }
      if (r.succeeded()) {
        delivered.add(id);
      }
    }
    // one event, one id: no transfer arrived under two ids
    var idByTransfer = new HashMap<String, String>();
    for (var r : received) {
      String key = data(r).path("transferId").asText(data(r).path("accountId").asText());
      String other = idByTransfer.putIfAbsent(key, r.header("webhook-id"));
      if (other != null) {
        assertEquals(other, r.header("webhook-id"), key + " arrived under two webhook-ids");
      }
    }
    return new ArrayList<>(delivered);
  }

  /** Per account, the first successful arrivals follow the messages' journal order. */
  static void assertJournalOrderPerAccount(
      Sql sql, String tenantId, List<LoopbackReceiver.Received> received) throws Exception {
    var seqById = new HashMap<String, Long>();
    var accountById = new HashMap<String, String>();
    for (var row :
        sql.rows(
            "SELECT message_id, seq, account_id FROM webhook_messages WHERE tenant_id = ?",
            tenantId)) {
      seqById.put((String) row.get("message_id"), ((Number) row.get("seq")).longValue());
      accountById.put((String) row.get("message_id"), (String) row.get("account_id"));
    }
    var seen = new java.util.HashSet<String>();
    Map<String, List<Long>> byAccount = new HashMap<>();
    for (var r : received) {
      String id = r.header("webhook-id");
      if (r.succeeded() && seen.add(id)) {
        byAccount.computeIfAbsent(accountById.get(id), k -> new ArrayList<>()).add(seqById.get(id));
      }
    }
    assertFalse(byAccount.isEmpty());
    byAccount.forEach(
        (account, seqs) -> {
          var sorted = new ArrayList<>(seqs);
          sorted.sort(null);
          assertEquals(sorted, seqs, "journal order of account " + account);
        });
  }
}
