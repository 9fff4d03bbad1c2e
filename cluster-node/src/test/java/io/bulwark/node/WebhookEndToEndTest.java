package io.bulwark.node;

import static io.bulwark.node.ApiClient.get;
import static io.bulwark.node.ApiClient.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.testing.ConnectionTrap;
import io.bulwark.testing.Eventually;
import io.bulwark.testing.LoopbackReceiver;
import io.bulwark.testing.LoopbackReceiver.Answer;
import io.bulwark.testing.Sql;
import io.bulwark.testing.TestDatabase;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Webhooks end to end on a real node over HTTP: endpoints registered through the API, transfers
 * made through the API, deliveries received on loopback and verified by the Standard Webhooks
 * library. Names resolve through {@link #dns}, so no test asks a DNS server, and the allow-list
 * holds 127.0.0.1 only: 127.0.0.2 stands for every address the guard refuses.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookEndToEndTest {
  private final Map<String, List<InetAddress>> dns = new ConcurrentHashMap<>();
  private TestDatabase db;
  private TestNode node;
  private ApiClient api;
  private Ledger ledger;
  private Sql sql;

  @BeforeAll
  void start() {
    db = TestDatabase.create();
    sql = new Sql(db.dataSource());
    String platformKey = TestNode.newPlatformKey();
    node =
        TestNode.seed(db, platformKey)
            .withConfig(
                "bulwark.webhooks { poll-interval = 50ms, breaker { failures = 5,"
                    + " open-for = 300ms } }")
            .withWebhooks(
                "127.0.0.1/32",
                Optional.of("200ms,200ms,200ms"),
                host -> {
                  var answer = dns.get(host);
                  if (answer == null) {
                    throw new UnknownHostException(host);
                  }
                  return answer;
                })
            .start();
    api = new ApiClient(node.baseUrl(), new OpenApiContract());
    ledger = new Ledger(api, platformKey);
  }

  @AfterAll
  void stop() throws Exception {
    node.stop();
    db.close();
  }

  /** An endpoint for {@code events}; its id and secret. */
  private String[] register(String tenant, String admin, String url, String... events) {
    var created =
        api.send(
            post("/v1/tenants/" + tenant + "/webhooks")
                .key(admin)
                .json(Map.of("url", url, "events", List.of(events))));
    assertEquals(201, created.status(), created.body());
    return new String[] {created.json().get("id").asText(), created.json().get("secret").asText()};
  }

  private String tenantWithAccounts(String tenant, int accounts) {
    String admin = ledger.tenantWithAdmin(tenant);
    for (int i = 0; i < accounts; i++) {
      ledger.account(tenant, admin, "a" + i, "EUR", null);
    }
    return admin;
  }

  private void transfer(String tenant, String admin, String key, String from, String to) {
    var r = ledger.transfer(tenant, admin, key, from, to, 1, "EUR");
    assertEquals(201, r.status(), r.body());
  }

  @Test
  void everyCompletedTransferOfAThousandIsDeliveredVerifiedAndInOrderPerAccount() throws Exception {
    try (var receiver = LoopbackReceiver.start()) {
      String admin = tenantWithAccounts("hooked", 10);
      var endpoint = register("hooked", admin, receiver.url("/in"), "transfer.completed");
      var transferIds = ConcurrentHashMap.<String>newKeySet();
      long started = System.nanoTime();
      var clients = Executors.newFixedThreadPool(8);
      for (int i = 0; i < 1_000; i++) {
        int n = i;
        clients.execute(
            () -> {
              var r =
                  ledger.transfer(
                      "hooked", admin, "k" + n, "a" + (n % 10), "a" + ((n + 3) % 10), 1, "EUR");
              if (r.status() == 201) {
                transferIds.add(r.json().get("id").asText());
              }
            });
      }
      clients.shutdown();
      assertTrue(clients.awaitTermination(5, TimeUnit.MINUTES));
      assertEquals(1_000, transferIds.size(), "every transfer completed");

      Eventually.await(
          Duration.ofMinutes(3),
          () ->
              assertEquals(
                  1_000,
                  receiver.received.stream()
                      .filter(LoopbackReceiver.Received::succeeded)
                      .map(r -> r.header("webhook-id"))
                      .distinct()
                      .count()));
      double seconds = (System.nanoTime() - started) / 1e9;
      var delivered = WebhookReceipts.verified(receiver.received, endpoint[1]);
      assertEquals(1_000, delivered.size());
      var deliveredTransfers = new HashSet<String>();
      receiver.received.forEach(
          r -> deliveredTransfers.add(WebhookReceipts.data(r).get("transferId").asText()));
      assertEquals(transferIds, deliveredTransfers);
      WebhookReceipts.assertJournalOrderPerAccount(sql, "hooked", receiver.received);
      System.out.printf(
          "Webhooks: 1,000 transfers made and delivered in %.1f s; %d requests for 1,000"
              + " deliveries%n",
          seconds, receiver.requestCount());
    }
  }

  @Test
  void aReceiverThatFailsForAWhileGetsEverythingInOrder() throws Exception {
    try (var receiver = LoopbackReceiver.start()) {
      String admin = tenantWithAccounts("flaky", 3);
      var endpoint = register("flaky", admin, receiver.url("/in"), "transfer.completed");
      // 6 failures over 3 queue heads: each head fails about twice, well within its 4 attempts
      receiver.answer(r -> receiver.requestCount() <= 6 ? Answer.status(500) : Answer.OK);
      for (int i = 0; i < 24; i++) {
        transfer("flaky", admin, "k" + i, "a" + (i % 3), "a" + ((i + 1) % 3));
      }

      Eventually.await(
          Duration.ofMinutes(1),
          () -> assertEquals(24, WebhookReceipts.verified(receiver.received, endpoint[1]).size()));
      assertTrue(receiver.requestCount() > 24, "some were repeated: " + receiver.requestCount());
      WebhookReceipts.assertJournalOrderPerAccount(sql, "flaky", receiver.received);
    }
  }

  @Test
  void aHeadPastItsScheduleParksItsAccountOthersFlowAndReplayDeliversAllInOrder() throws Exception {
    try (var receiver = LoopbackReceiver.start()) {
      String admin = tenantWithAccounts("parked", 3);
      var endpoint = register("parked", admin, receiver.url("/in"), "transfer.completed");
      var sick = new AtomicBoolean(true);
      receiver.answer(
          r ->
              sick.get() && WebhookReceipts.data(r).get("from").asText().equals("a0")
                  ? Answer.status(500)
                  : Answer.OK);
      for (int i = 0; i < 6; i++) {
        transfer("parked", admin, "k" + i, i % 2 == 0 ? "a0" : "a1", "a2");
      }
      String base = "/v1/tenants/parked/webhooks/" + endpoint[0];

      Eventually.await(
          Duration.ofMinutes(1),
          () -> {
            var dead = api.send(get(base + "/dead-letters").key(admin));
            assertEquals(200, dead.status(), dead.body());
            assertEquals(1, dead.json().get("items").size(), dead.body());
            assertEquals(4, dead.json().get("items").get(0).get("attempts").asInt());
            var parked = api.send(get(base + "/deliveries?state=parked").key(admin));
            assertEquals(2, parked.json().get("items").size(), parked.body());
            var delivered = api.send(get(base + "/deliveries?state=delivered").key(admin));
            assertEquals(3, delivered.json().get("items").size(), delivered.body());
          });

      sick.set(false);
      var replay = api.send(post(base + "/replay").key(admin));
      assertEquals(202, replay.status(), replay.body());
      assertEquals(1, replay.json().get("replayed").asInt());

      Eventually.await(
          Duration.ofMinutes(1),
          () -> assertEquals(6, WebhookReceipts.verified(receiver.received, endpoint[1]).size()));
      WebhookReceipts.assertJournalOrderPerAccount(sql, "parked", receiver.received);
      var audit =
          api.send(get("/v1/tenants/parked/audit-events?action=webhook.replayed").key(admin));
      assertEquals(1, audit.json().get("items").size(), audit.body());
    }
  }

  @Test
  void privateLoopbackAndMetadataTargetsAreRefusedAtRegistrationAndAtDelivery() throws Exception {
    try (var receiver = LoopbackReceiver.start();
        var trap = ConnectionTrap.on("127.0.0.2", receiver.port())) {
      String admin = tenantWithAccounts("guarded", 2);
      dns.put("metadata.test", List.of(InetAddress.getByName("169.254.169.254")));
      for (String url :
          List.of(
              trap.url("/x"),
              "http://10.0.0.5/x",
              "http://169.254.169.254/latest/meta-data/",
              "https://metadata.test/x",
              "http://[::1]:" + receiver.port() + "/x",
              "http://100.100.100.200/x",
              "https://unknown.test/x")) {
        var refused =
            api.send(
                post("/v1/tenants/guarded/webhooks")
                    .key(admin)
                    .json(Map.of("url", url, "events", List.of("transfer.completed"))));
        assertEquals(422, refused.status(), url + " -> " + refused.body());
        assertEquals("webhook_target_refused", refused.code(), refused.body());
      }

      dns.put("hooks.test", List.of(InetAddress.getByName("127.0.0.1")));
      var endpoint =
          register(
              "guarded",
              admin,
              "http://hooks.test:" + receiver.port() + "/in",
              "transfer.completed");
      transfer("guarded", admin, "k1", "a0", "a1");
      Eventually.await(Duration.ofSeconds(30), () -> assertEquals(1, receiver.requestCount()));

      dns.put(
          "hooks.test", List.of(InetAddress.getByName("127.0.0.2"))); // rebinding after the check
      transfer("guarded", admin, "k2", "a0", "a1");
      Eventually.await(
          Duration.ofSeconds(30),
          () -> {
            var pending =
                api.send(
                    get("/v1/tenants/guarded/webhooks/" + endpoint[0] + "/deliveries?state=pending")
                        .key(admin));
            assertEquals(1, pending.json().get("items").size(), pending.body());
            assertTrue(
                pending.json().get("items").get(0).get("lastError").asText().contains("loopback"),
                pending.body());
          });
      assertEquals(0, trap.connections(), "no connection reached 127.0.0.2");
      assertEquals(1, receiver.requestCount());
    }
  }

  @Test
  void aReceiverTakingFiveSecondsDoesNotSlowDeliveryToAFastOne() throws Exception {
    try (var slow = LoopbackReceiver.start();
        var fast = LoopbackReceiver.start()) {
      slow.answer(r -> new Answer(200, Map.of(), Duration.ofSeconds(5)));
      String admin = tenantWithAccounts("mixed", 4);
      var slowEndpoint = register("mixed", admin, slow.url("/slow"), "transfer.completed");
      register("mixed", admin, fast.url("/fast"), "transfer.completed");
      var made = new ArrayList<String>();
      for (int i = 0; i < 20; i++) {
        transfer("mixed", admin, "k" + i, "a" + (i % 4), "a" + ((i + 1) % 4));
        made.add("k" + i);
      }

      Eventually.await(Duration.ofSeconds(30), () -> assertEquals(20, fast.requestCount()));
      long slowDone =
          sql.count(
              "SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = ? AND state ="
                  + " 'delivered'",
              slowEndpoint[0]);
      System.out.printf(
          "Webhooks: the fast receiver had all 20 while the slow one (5 s each) had answered %d%n",
          slowDone);
      assertTrue(slowDone <= 8, "the fast endpoint did not wait for the slow: " + slowDone);
    }
  }
}
