package io.bulwark.webhooks;

import static io.bulwark.webhooks.WebhookTestKit.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.bulwark.readmodel.InvalidCursorException;
import io.bulwark.testing.Sql;
import io.bulwark.testing.TestSecrets;
import io.bulwark.testing.WebhookTables;
import io.bulwark.webhooks.WebhookEndpoints.Delivery;
import io.bulwark.webhooks.WebhookEndpoints.DeliveryPage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What an operator sees of an endpoint's queues (parked is computed, not stored) and how resend and
 * replay put deliveries back so that the queues drain in order. Each test has its own tenant.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookQueuesTest {
  private WebhookTestKit kit;
  private WebhookEndpoints webhooks;
  private WebhookTables tables;
  private Sql sql;

  @BeforeAll
  void start() {
    kit = new WebhookTestKit();
    webhooks = kit.webhooks;
    tables = kit.tables;
    sql = kit.sql;
  }

  @AfterAll
  void stop() {
    kit.close();
  }

  /**
   * An endpoint of {@code tenant} whose queue for account a holds 1 delivered, 2 dead, 3 and 4
   * pending behind it (parked), and for account b 5 pending.
   */
  private String queues(String tenant, long base) throws Exception {
    var created = await(webhooks.create(tenant, "http://127.0.0.1/q", List.of(EventType.values())));
    TestSecrets.remember(created.secret());
    String endpoint = created.endpoint().id();
    Instant at = kit.clock.instant().minus(Duration.ofHours(1));
    String type = "transfer.completed";
    tables.delivery(tenant, endpoint, base + 1, type, "a", "delivered", at);
    tables.delivery(tenant, endpoint, base + 2, type, "a", "dead", at);
    tables.delivery(tenant, endpoint, base + 3, type, "a", "pending", at);
    tables.delivery(tenant, endpoint, base + 4, type, "a", "pending", at);
    tables.delivery(tenant, endpoint, base + 5, type, "b", "pending", at);
    return endpoint;
  }

  private DeliveryPage page(String tenant, String endpoint, String state, int limit, String cursor)
      throws Exception {
    return await(
            webhooks.deliveries(
                tenant, endpoint, Optional.ofNullable(state), limit, Optional.ofNullable(cursor)))
        .orElseThrow();
  }

  private static List<String> shown(DeliveryPage page) {
    return page.items().stream().map(d -> d.seq() % 100 + ":" + d.state()).toList();
  }

  @Test
  void aPendingDeliveryBehindADeadLetterIsShownParked() throws Exception {
    String endpoint = queues("t-parked", 100);
    var all = page("t-parked", endpoint, null, 50, null);
    assertEquals(List.of("5:pending", "4:parked", "3:parked", "2:dead", "1:delivered"), shown(all));
    assertNull(all.nextCursor());
    assertEquals(
        List.of("4:parked", "3:parked"), shown(page("t-parked", endpoint, "parked", 50, null)));
    assertEquals(List.of("5:pending"), shown(page("t-parked", endpoint, "pending", 50, null)));
    assertEquals(List.of("2:dead"), shown(page("t-parked", endpoint, "dead", 50, null)));
    assertEquals(List.of("1:delivered"), shown(page("t-parked", endpoint, "delivered", 50, null)));

    Delivery pending = all.items().get(0);
    assertEquals("msg_105", pending.webhookId());
    assertEquals("b", pending.accountId());
    assertEquals("transfer.completed", pending.eventType());
    assertNotNull(pending.nextAttemptAt());
    assertNull(all.items().get(1).nextAttemptAt(), "a parked delivery is not tried");
    Delivery dead = all.items().get(3);
    assertEquals(8, dead.attempts());
    assertEquals(500, dead.lastStatus());
    assertEquals("HTTP 500", dead.lastError());
    assertNotNull(dead.deadAt());
    assertNull(dead.deliveredAt());
    assertNotNull(all.items().get(4).deliveredAt());
    assertEquals(
        Optional.empty(),
        await(webhooks.deliveries("t-other", endpoint, Optional.empty(), 50, Optional.empty())));
  }

  @Test
  void pagesFollowEachOtherByCursor() throws Exception {
    String endpoint = queues("t-pages", 200);
    var first = page("t-pages", endpoint, null, 2, null);
    assertEquals(List.of("5:pending", "4:parked"), shown(first));
    var second = page("t-pages", endpoint, null, 2, first.nextCursor());
    assertEquals(List.of("3:parked", "2:dead"), shown(second));
    var last = page("t-pages", endpoint, null, 2, second.nextCursor());
    assertEquals(List.of("1:delivered"), shown(last));
    assertNull(last.nextCursor());

    tables.delivery("t-pages", endpoint, 206, "account.created", "c", "dead", kit.clock.instant());
    var dead = await(webhooks.deadLetters("t-pages", endpoint, 1, Optional.empty())).orElseThrow();
    assertEquals(List.of("2:dead"), shown(dead), "queue order: oldest first");
    var next =
        await(webhooks.deadLetters("t-pages", endpoint, 1, Optional.of(dead.nextCursor())))
            .orElseThrow();
    assertEquals(List.of("6:dead"), shown(next));
    assertNull(next.nextCursor());

    for (String bad : List.of("nope", "d2RhYmM", "", dead.nextCursor() + "x")) {
      assertThrows(
          InvalidCursorException.class,
          () -> page("t-pages", endpoint, null, 2, bad),
          "cursor " + bad);
    }
    assertThrows(
        InvalidCursorException.class,
        () -> page("t-pages", endpoint, null, 2, dead.nextCursor()),
        "a dead-letter cursor is not one of this list");
    assertThrows(
        IllegalArgumentException.class,
        () -> webhooks.deliveries("t-pages", endpoint, Optional.of("lost"), 2, Optional.empty()));
    assertThrows(
        IllegalArgumentException.class,
        () -> webhooks.deadLetters("t-pages", endpoint, 201, Optional.empty()));
  }

  @Test
  void resendPutsOneDeliveryBackAtTheHeadOfItsQueue() throws Exception {
    String endpoint = queues("t-resend", 300);
    kit.clock.advance(Duration.ofMinutes(5));
    var resent = await(webhooks.resend("t-resend", endpoint, "msg_302")).orElseThrow();
    assertEquals("pending", resent.state());
    assertEquals(0, resent.attempts());
    assertEquals(kit.clock.instant(), resent.nextAttemptAt());
    assertNull(resent.deadAt());
    assertEquals("HTTP 500", resent.lastError(), "what happened before is kept");
    Map<String, Object> row =
        sql.rows(
                "SELECT lease_owner, lease_until, dead_at FROM webhook_deliveries"
                    + " WHERE endpoint_id = ? AND message_id = 'msg_302'",
                endpoint)
            .get(0);
    assertNull(row.get("lease_owner"));
    assertNull(row.get("lease_until"));
    assertEquals(
        List.of("5:pending", "4:pending", "3:pending", "2:pending", "1:delivered"),
        shown(page("t-resend", endpoint, null, 50, null)),
        "nothing is parked any more");

    var again = await(webhooks.resend("t-resend", endpoint, "msg_301")).orElseThrow();
    assertEquals("pending", again.state());
    assertNull(again.deliveredAt());
    assertEquals(Optional.empty(), await(webhooks.resend("t-resend", endpoint, "msg_999")));
    assertEquals(Optional.empty(), await(webhooks.resend("t-other", endpoint, "msg_301")));
  }

  @Test
  void replaySendsEveryDeadLetterAgainAndWhatTheyParkedFollows() throws Exception {
    String endpoint = queues("t-replay", 400);
    tables.delivery("t-replay", endpoint, 406, "account.created", "c", "dead", kit.clock.instant());
    assertEquals(Optional.of(2L), await(webhooks.replay("t-replay", endpoint)));
    assertEquals(
        List.of("6:pending", "5:pending", "4:pending", "3:pending", "2:pending", "1:delivered"),
        shown(page("t-replay", endpoint, null, 50, null)));
    assertEquals(
        0,
        sql.count(
            "SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = ?"
                + " AND (attempts > 0 AND state = 'pending' OR lease_owner IS NOT NULL)",
            endpoint));
    assertEquals(Optional.of(0L), await(webhooks.replay("t-replay", endpoint)));
    assertEquals(Optional.empty(), await(webhooks.replay("t-other", endpoint)));
  }
}
