package io.bulwark.node;

import static io.bulwark.node.ApiClient.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.testing.Eventually;
import io.bulwark.testing.LoopbackReceiver;
import io.bulwark.testing.LoopbackReceiver.Answer;
import io.bulwark.testing.Sql;
import io.bulwark.testing.TestDatabase;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A node process killed (SIGKILL) while deliveries are in flight, then started again on the same
 * database: every completed transfer still reaches the receiver, verified and in order per account,
 * and an event that arrives twice carries the same webhook-id both times.
 */
class WebhookNodeKillTest {
  private static final int TRANSFERS = 200;

  @Test
  void nothingIsLostAndRepeatsKeepTheirId() throws Exception {
    try (var db = TestDatabase.create();
        var receiver = LoopbackReceiver.start()) {
      // slow enough that the kill finds attempts in flight
      receiver.answer(r -> new Answer(200, Map.of(), Duration.ofMillis(300)));
      String platformKey = TestNode.newPlatformKey();
      var node =
          NodeProcess.seed(
              "webhooks",
              db,
              platformKey,
              Map.of("BULWARK_WEBHOOK_ALLOWED_TARGETS", "127.0.0.1/32"),
              List.of("-Dbulwark.webhooks.attempt-timeout=2s", "-Dbulwark.webhooks.lease=4s"));
      NodeProcess restarted = null;
      try {
        node.awaitReady();
        var ledger = new Ledger(new ApiClient(node.baseUrl(), new OpenApiContract()), platformKey);
        String admin = ledger.tenantWithAdmin("killed");
        for (int i = 0; i < 5; i++) {
          ledger.account("killed", admin, "a" + i, "EUR", null);
        }
        var created =
            ledger.api.send(
                post("/v1/tenants/killed/webhooks")
                    .key(admin)
                    .json(
                        Map.of(
                            "url", receiver.url("/in"), "events", List.of("transfer.completed"))));
        assertEquals(201, created.status(), created.body());
        String secret = created.json().get("secret").asText();

        Set<String> transferIds = ConcurrentHashMap.newKeySet();
        var clients = Executors.newFixedThreadPool(4);
        for (int i = 0; i < TRANSFERS; i++) {
          int n = i;
          clients.execute(
              () -> {
                var r =
                    ledger.transfer(
                        "killed", admin, "k" + n, "a" + (n % 5), "a" + ((n + 1) % 5), 1, "EUR");
                if (r.status() == 201) {
                  transferIds.add(r.json().get("id").asText());
                }
              });
        }
        clients.shutdown();
        assertTrue(clients.awaitTermination(2, TimeUnit.MINUTES));
        assertEquals(TRANSFERS, transferIds.size());

        Eventually.await(Duration.ofSeconds(60), () -> assertTrue(receiver.requestCount() >= 20));
        node.kill();
        int beforeRestart = receiver.requestCount();
        restarted = node.restarted(Map.of());
        restarted.awaitReady();

        Eventually.await(
            Duration.ofMinutes(2),
            () ->
                assertEquals(
                    TRANSFERS, WebhookReceipts.verified(receiver.received, secret).size()));
        var delivered = new HashSet<String>();
        receiver.received.forEach(
            r -> delivered.add(WebhookReceipts.data(r).get("transferId").asText()));
        assertEquals(transferIds, delivered);
        WebhookReceipts.assertJournalOrderPerAccount(
            new Sql(db.dataSource()), "killed", receiver.received);
        System.out.printf(
            "Webhooks across a SIGKILL: %d requests before the kill, %d in all for %d events (%d"
                + " repeats, each with its first webhook-id)%n",
            beforeRestart, receiver.requestCount(), TRANSFERS, receiver.requestCount() - TRANSFERS);
      } finally {
        node.kill();
        if (restarted != null) {
          restarted.terminate(Duration.ofSeconds(60));
        }
      }
    }
  }
}
