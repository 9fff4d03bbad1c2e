package io.bulwark.webhooks;

import static io.bulwark.webhooks.DispatchFixture.seconds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulwark.testing.ConnectionTrap;
import io.bulwark.testing.Eventually;
import io.bulwark.testing.LoopbackReceiver;
import io.bulwark.testing.LoopbackReceiver.Answer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The dispatcher against a real database and loopback receivers: signatures checked by the Standard
 * Webhooks library, order per account, retries, dead letters that park their account, 410, 429 and
 * Retry-After, the breaker, and the SSRF guard at delivery time.
 */
class WebhookDispatcherTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String FAST =
      "bulwark.webhooks { retry-schedule = \"100ms,100ms,100ms,100ms,100ms,100ms\", jitter = 0,"
          + " breaker.failures = 1000, poll-interval = 50ms }";

  @Test
  void deliversEverythingSignedWithTheOriginAndInOrderPerAccount() throws Exception {
    try (var receiver = LoopbackReceiver.start();
        var f = new DispatchFixture(FAST, "127.0.0.1/32")) {
      var endpoint = f.endpoint("acme", receiver.url("/hooks"));
      var accounts = new ArrayList<String>();
      for (int i = 0; i < 60; i++) {
        accounts.add("acct-" + (i % 3));
      }
      f.publish("acme", accounts);

      Eventually.await(seconds(30), () -> assertEquals(60, f.count("state = 'delivered'")));

      assertEquals(60, receiver.received.size(), "nothing sent twice to a receiver that says 2xx");
      for (var r : receiver.received) {
        DispatchFixture.verify(r, endpoint.secret());
        assertTrue(r.header("webhook-id").startsWith("msg_"));
        assertTrue(
            r.header("traceparent")
                .matches("^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$"),
            r.header("traceparent"));
        assertTrue(r.header("x-request-id").startsWith("req-"));
      }
      assertInOrderPerAccount(receiver.received);
    }
  }

  @Test
  void aReceiverThatFailsForAWhileGetsEverythingInOrderAndRepeatsKeepTheirId() throws Exception {
    try (var receiver = LoopbackReceiver.start();
        var f = new DispatchFixture(FAST, "127.0.0.1/32")) {
      var endpoint = f.endpoint("acme", receiver.url("/hooks"));
      var logged =
          new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
      logged.start();
      var logger =
          (ch.qos.logback.classic.Logger)
              org.slf4j.LoggerFactory.getLogger(WebhookDispatcher.class);
      logger.addAppender(logged);
      receiver.answer(r -> receiver.requestCount() <= 8 ? Answer.status(503) : Answer.OK);
      f.publish("acme", List.of("a", "b", "a", "b", "a", "c", "c", "a"));

      Eventually.await(seconds(30), () -> assertEquals(8, f.count("state = 'delivered'")));

      var bodiesById = new HashMap<String, String>();
      for (var r : receiver.received) {
        DispatchFixture.verify(r, endpoint.secret());
        String previous = bodiesById.putIfAbsent(r.header("webhook-id"), r.body());
        assertTrue(previous == null || previous.equals(r.body()), "a repeat is the same message");
      }
      assertEquals(8, bodiesById.size());
      assertTrue(receiver.received.size() > 8, "some deliveries were repeated");
      assertInOrderPerAccount(successful(receiver.received, 8));
      assertTrue(f.count("attempts > 1") > 0);
      logger.detachAppender(logged);
      var failure =
          logged.list.stream()
              .filter(e -> e.getFormattedMessage().contains("failed (attempt"))
              .findFirst()
              .orElseThrow();
      assertTrue(bodiesById.containsKey(failure.getMDCPropertyMap().get("webhookId")));
      assertEquals("acme", failure.getMDCPropertyMap().get("tenantId"));
      assertFalse(failure.getFormattedMessage().contains("127.0.0.1"), "no URL in the log");
    }
  }

  @Test
  void aHeadPastItsScheduleIsADeadLetterParksItsAccountAndReplayDrainsInOrder() throws Exception {
    try (var receiver = LoopbackReceiver.start();
        var f =
            new DispatchFixture(
                "bulwark.webhooks { retry-schedule = \"50ms,50ms\", jitter = 0,"
                    + " breaker.failures = 1000, poll-interval = 50ms }",
                "127.0.0.1/32")) {
      var endpoint = f.endpoint("acme", receiver.url("/hooks"));
      receiver.answer(r -> r.body().contains("\"from\":\"sick\"") ? Answer.status(500) : Answer.OK);
      f.publish("acme", List.of("sick", "well", "sick", "well", "sick", "well"));

      Eventually.await(
          seconds(30),
          () -> {
            assertEquals(1, f.count("state = 'dead'"));
            assertEquals(3, f.count("state = 'delivered'"));
          });
      // the head was tried 3 times (1 + 2 retries); the two behind it never
      long sickRequests =
          receiver.received.stream().filter(r -> r.body().contains("\"from\":\"sick\"")).count();
      assertEquals(3, sickRequests);
      assertEquals(2, f.count("state = 'pending' AND account_id = 'sick' AND attempts = 0"));
      assertNotNull(
          f.sql.value(
              "SELECT last_error FROM webhook_deliveries WHERE state = 'dead'"
                  + " AND last_error = 'HTTP 500' AND attempts = 3"));

      receiver.answer(r -> Answer.OK);
      f.sql.update(
          "UPDATE webhook_deliveries SET state = 'pending', attempts = 0, next_attempt_at = now(),"
              + " dead_at = NULL WHERE tenant_id = ? AND endpoint_id = ? AND state = 'dead'",
          "acme",
          endpoint.id());

      Eventually.await(seconds(30), () -> assertEquals(6, f.count("state = 'delivered'")));
      var sick =
          successful(receiver.received, 6).stream()
              .filter(r -> r.body().contains("\"from\":\"sick\""))
              .toList();
      assertEquals(3, sick.size());
      assertInOrderPerAccount(sick);
    }
  }

  @Test
  void goneDisablesTheEndpointAndKeepsItsDeliveries() throws Exception {
    try (var receiver = LoopbackReceiver.start();
        var f = new DispatchFixture(FAST, "127.0.0.1/32")) {
      var endpoint = f.endpoint("acme", receiver.url("/hooks"));
      receiver.answer(r -> Answer.status(410));
      f.publish("acme", List.of("a", "a"));

      Eventually.await(
          seconds(30),
          () ->
              assertEquals(
                  "gone",
                  f.sql.value(
                      "SELECT disabled_reason FROM webhook_endpoints WHERE endpoint_id = ?"
                          + " AND NOT enabled",
                      endpoint.id())));
      Thread.sleep(500); // the dispatcher's ticks go on; a disabled endpoint gets nothing
      assertEquals(1, receiver.requestCount());
      assertEquals(2, f.count("state = 'pending'"), "nothing is lost: enabling resumes");
    }
  }

  @Test
  void retryAfterOfA429IsHonoured() throws Exception {
    try (var receiver = LoopbackReceiver.start();
        var f = new DispatchFixture(FAST, "127.0.0.1/32")) {
      f.endpoint("acme", receiver.url("/hooks"));
      receiver.answer(r -> new Answer(429, Map.of("Retry-After", "3"), Duration.ZERO));
      f.publish("acme", List.of("a"));

      Eventually.await(seconds(30), () -> assertEquals(1, f.count("last_status = 429")));
      Object wait =
          f.sql.value(
              "SELECT extract(epoch FROM next_attempt_at - last_attempt_at) FROM"
                  + " webhook_deliveries");
      assertTrue(((Number) wait).doubleValue() >= 2.9, "waits as asked: " + wait);
      assertEquals(1, receiver.requestCount());
    }
  }

  @Test
  void anOpenBreakerStopsAttemptsWithoutSpendingTheSchedule() throws Exception {
    try (var receiver = LoopbackReceiver.start();
        var f =
            new DispatchFixture(
                "bulwark.webhooks { retry-schedule = \"50ms,50ms,50ms,50ms,50ms,50ms,50ms\","
                    + " jitter = 0, poll-interval = 50ms,"
                    + " breaker { failures = 3, open-for = 1m } }",
                "127.0.0.1/32")) {
      f.endpoint("acme", receiver.url("/hooks"));
      receiver.answer(r -> Answer.status(500));
      f.publish("acme", List.of("a", "b", "c", "d", "e"));

      Eventually.await(seconds(30), () -> assertTrue(receiver.requestCount() >= 3));
      Thread.sleep(1_000); // many ticks: none may attempt while the breaker is open
      int attempts =
          ((Number) f.sql.value("SELECT sum(attempts) FROM webhook_deliveries")).intValue();
      assertEquals(receiver.requestCount(), attempts);
      assertTrue(attempts <= 3 + 7, "at most the in-flight ones when it opened: " + attempts);
      assertEquals(0, f.count("state = 'dead'"));
    }
  }

  @Test
  void duringASecretRotationBothSecretsSignAndAfterItOnlyTheNewOne() throws Exception {
    try (var receiver = LoopbackReceiver.start();
        var f = new DispatchFixture(FAST, "127.0.0.1/32")) {
      var old = f.endpoint("acme", receiver.url("/hooks"));
      byte[] rotated = WebhookSecrets.generate();
      f.sql.update(
          "UPDATE webhook_endpoints SET previous_secret = secret, secret = ?,"
              + " previous_secret_until = now() + interval '1 hour'",
          f.box.seal(rotated));
      f.publish("acme", List.of("a"));
      Eventually.await(seconds(30), () -> assertEquals(1, receiver.requestCount()));
      var during = receiver.received.get(0);
      assertEquals(2, during.header("webhook-signature").split(" ").length);
      DispatchFixture.verify(during, old.secret());
      DispatchFixture.verify(during, rotated);

      f.sql.update("UPDATE webhook_endpoints SET previous_secret_until = now()");
      f.publish("acme", List.of("a"));
      Eventually.await(seconds(30), () -> assertEquals(2, receiver.requestCount()));
      var after = receiver.received.get(1);
      DispatchFixture.verify(after, rotated);
      assertThrows(
          com.standardwebhooks.exceptions.WebhookVerificationException.class,
          () -> DispatchFixture.verify(after, old.secret()));
    }
  }

  @Test
  void aRedirectIsAFailureAndIsNotFollowed() throws Exception {
    try (var receiver = LoopbackReceiver.start();
        var elsewhere = LoopbackReceiver.start();
        var f =
            new DispatchFixture(
                "bulwark.webhooks { retry-schedule = \"1h\", poll-interval = 50ms }",
                "127.0.0.1/32")) {
      f.endpoint("acme", receiver.url("/hooks"));
      receiver.answer(
          r -> new Answer(307, Map.of("Location", elsewhere.url("/moved")), Duration.ZERO));
      f.publish("acme", List.of("a"));

      Eventually.await(
          seconds(30), () -> assertEquals(1, f.count("last_status = 307 AND state = 'pending'")));
      assertTrue(
          ((String) f.sql.value("SELECT last_error FROM webhook_deliveries")).contains("redirect"));
      Thread.sleep(300);
      assertEquals(0, elsewhere.requestCount(), "the redirect was not followed");
    }
  }

  @Test
  void aGracefulCloseLetsAttemptsInFlightFinishAndStoresTheirOutcome() throws Exception {
    try (var receiver = LoopbackReceiver.start();
        var f = new DispatchFixture(FAST, "127.0.0.1/32")) {
      f.endpoint("acme", receiver.url("/hooks"));
      receiver.answer(r -> new Answer(200, Map.of(), Duration.ofSeconds(1)));
      f.publish("acme", List.of("a", "b"));
      Eventually.await(seconds(30), () -> assertEquals(2, receiver.requestCount()));

      f.dispatcher.closeGracefully(Duration.ofSeconds(10));

      assertEquals(2, f.count("state = 'delivered' AND lease_owner IS NULL"), "no lease left over");
    }
  }

  @Test
  void refusedTargetsAreNeverConnectedToEvenWhenANameMovesAfterRegistration() throws Exception {
    try (var receiver = LoopbackReceiver.start();
        var trap = ConnectionTrap.on("127.0.0.2", receiver.port());
        var f = new DispatchFixture(FAST, "127.0.0.1/32")) {
      f.dns.put("hooks.test", List.of(FakeDns.ip("127.0.0.1")));
      var byName = f.endpoint("acme", "http://hooks.test:" + receiver.port() + "/hooks");
      f.endpoint("globex", trap.url("/direct"));
      f.publish("acme", List.of("a"));
      f.publish("globex", List.of("g"));

      Eventually.await(seconds(30), () -> assertEquals(1, receiver.requestCount()));
      DispatchFixture.verify(receiver.received.get(0), byName.secret());

      f.dns.put("hooks.test", List.of(FakeDns.ip("127.0.0.2"))); // rebinding to a refused address
      f.publish("acme", List.of("a"));
      Eventually.await(
          seconds(30),
          () ->
              assertEquals(
                  2, f.count("last_error LIKE 'refused: %' AND last_error LIKE '%loopback%'")));
      Thread.sleep(300);
      assertEquals(0, trap.connections(), "no connection ever reached 127.0.0.2");
      assertEquals(1, receiver.requestCount());
    }
  }

  /** The requests answered 2xx, in arrival order; {@code n} of them. */
  private static List<LoopbackReceiver.Received> successful(
      List<LoopbackReceiver.Received> all, int n) {
    var ok = all.stream().filter(LoopbackReceiver.Received::succeeded).toList();
    assertEquals(n, ok.size());
    return ok;
  }

  /** For each account, its transfers (t1, t2, ...) arrived in ascending order. */
  private static void assertInOrderPerAccount(List<LoopbackReceiver.Received> received)
      throws Exception {
    var byAccount = new HashMap<String, List<Integer>>();
    for (var r : received) {
      var data = JSON.readTree(r.body()).get("data");
      byAccount
          .computeIfAbsent(data.get("from").asText(), k -> new ArrayList<>())
          .add(Integer.parseInt(data.get("transferId").asText().substring(1)));
    }
    assertFalse(byAccount.isEmpty());
    byAccount.forEach(
        (account, numbers) -> {
          var sorted = new ArrayList<>(numbers);
          Collections.sort(sorted);
          assertEquals(sorted, numbers, "order of account " + account);
        });
  }
}
