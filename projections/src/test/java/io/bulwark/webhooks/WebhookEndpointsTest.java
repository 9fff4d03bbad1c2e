package io.bulwark.webhooks;

import static io.bulwark.webhooks.WebhookTestKit.await;
import static io.bulwark.webhooks.WebhookTestKit.refused;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.testing.Sql;
import io.bulwark.testing.TestSecrets;
import io.bulwark.testing.WebhookTables;
import io.bulwark.webhooks.WebhookEndpoints.Endpoint;
import io.bulwark.webhooks.WebhookRefusedException.Reason;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Endpoints and their secrets against a real PostgreSQL, as the node's role: what is stored, what
 * is shown, and what is refused. Each test has a tenant of its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookEndpointsTest {
  private static final List<EventType> TRANSFERS =
      List.of(EventType.TRANSFER_COMPLETED, EventType.TRANSFER_REJECTED);

  private WebhookTestKit kit;
  private WebhookEndpoints webhooks;
  private Sql sql;

  @BeforeAll
  void start() {
    kit = new WebhookTestKit();
    webhooks = kit.webhooks;
    sql = new Sql(kit.db.dataSource());
  }

  @AfterAll
  void stop() {
    kit.close();
  }

  private Endpoint create(String tenant, String url) throws Exception {
    var created = await(webhooks.create(tenant, url, TRANSFERS));
    TestSecrets.remember(created.secret());
    return created.endpoint();
  }

  @Test
  void endpointsAreCreatedListedChangedAndDeleted() throws Exception {
    var first = create("t-crud", "http://127.0.0.1:9000/hooks");
    kit.clock.advance(Duration.ofSeconds(1));
    var second = create("t-crud", "http://127.0.0.1/other");
    assertTrue(first.id().matches("we_[0-9a-f]{24}"), first.id());
    assertEquals("t-crud", first.tenantId());
    assertEquals(TRANSFERS, first.events());
    assertTrue(first.enabled());
    assertNull(first.disabledReason());
    assertNull(first.previousSecretExpiresAt());
    assertEquals(kit.clock.instant().minusSeconds(1), first.createdAt());

    assertEquals(List.of(first, second), await(webhooks.list("t-crud")));
    assertEquals(List.of(), await(webhooks.list("t-nobody")));
    assertEquals(Optional.of(first), await(webhooks.get("t-crud", first.id())));
    assertEquals(Optional.empty(), await(webhooks.get("t-other", first.id())));

    kit.clock.advance(Duration.ofSeconds(1));
    var changed =
        await(
                webhooks.update(
                    "t-crud",
                    first.id(),
                    Optional.of("http://127.0.0.1:9001/new"),
                    Optional.of(List.of(EventType.ACCOUNT_CREATED)),
                    Optional.of(false)))
            .orElseThrow();
    assertEquals(List.of(EventType.ACCOUNT_CREATED), changed.events());
    assertTrue(changed.url().startsWith("http://127.0.0.1:9001/new"), changed.url());
    assertFalse(changed.enabled());
    assertEquals("disabled", changed.disabledReason());
    assertEquals(kit.clock.instant(), changed.updatedAt());
    assertEquals(first.createdAt(), changed.createdAt());

    var enabled =
        await(
                webhooks.update(
                    "t-crud", first.id(), Optional.empty(), Optional.empty(), Optional.of(true)))
            .orElseThrow();
    assertTrue(enabled.enabled());
    assertNull(enabled.disabledReason());
    assertEquals(changed.url(), enabled.url());
    assertEquals(
        Optional.empty(),
        await(
            webhooks.update(
                "t-other", first.id(), Optional.empty(), Optional.empty(), Optional.of(true))));

    var tables = new WebhookTables(kit.db.dataSource());
    tables.delivery("t-crud", first.id(), 1, "account.created", "a", "dead", kit.clock.instant());
    var recovery =
        await(webhooks.startRecovery("t-crud", first.id(), kit.clock.instant())).orElseThrow();
    assertTrue(await(webhooks.delete("t-crud", first.id())));
    assertFalse(await(webhooks.delete("t-crud", first.id())));
    assertEquals(Optional.empty(), await(webhooks.get("t-crud", first.id())));
    assertEquals(List.of(second), await(webhooks.list("t-crud")));
    assertEquals(
        0, sql.count("SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = ?", first.id()));
    assertEquals(
        "completed",
        sql.value("SELECT state FROM webhook_recoveries WHERE recovery_id = ?", recovery.id()));
    assertEquals(Optional.empty(), await(webhooks.recovery("t-crud", first.id(), recovery.id())));
  }

  @Test
  void theSecretIsShownOnceAndStoredSealed() throws Exception {
    var created = await(webhooks.create("t-secret", "http://127.0.0.1/s", TRANSFERS));
    String secret = TestSecrets.remember(created.secret());
    assertTrue(secret.startsWith("whsec_"), "a Standard Webhooks secret");
    byte[] raw = Base64.getDecoder().decode(secret.substring("whsec_".length()));
    assertEquals(24, raw.length);
    byte[] stored =
        (byte[])
            sql.value(
                "SELECT secret FROM webhook_endpoints WHERE endpoint_id = ?",
                created.endpoint().id());
    assertFalse(
        new String(stored, java.nio.charset.StandardCharsets.ISO_8859_1)
            .contains(new String(raw, java.nio.charset.StandardCharsets.ISO_8859_1)),
        "the table holds no plain secret");
    assertArrayEquals(raw, kit.box.open(stored));
    assertFalse(created.toString().contains(secret));
    assertFalse(created.endpoint().toString().contains(secret));
    var listed = await(webhooks.list("t-secret")).toString();
    assertFalse(listed.contains(secret) || listed.contains("whsec_"));
  }

  @Test
  void rotationKeepsThePreviousSealedSecretUntilTheOverlapEnds() throws Exception {
    var endpoint = create("t-rotate", "http://127.0.0.1/r");
    byte[] before =
        (byte[])
            sql.value("SELECT secret FROM webhook_endpoints WHERE endpoint_id = ?", endpoint.id());
    kit.clock.advance(Duration.ofMinutes(1));
    var rotated =
        await(webhooks.rotateSecret("t-rotate", endpoint.id(), Duration.ofHours(2))).orElseThrow();
    TestSecrets.remember(rotated.secret());
    assertFalse(rotated.toString().contains(rotated.secret()));
    var expires = kit.clock.instant().plus(Duration.ofHours(2));
    assertEquals(expires, rotated.endpoint().previousSecretExpiresAt());
    assertEquals(kit.clock.instant(), rotated.endpoint().updatedAt());
    var row =
        sql.rows(
                "SELECT secret, previous_secret, previous_secret_until FROM webhook_endpoints"
                    + " WHERE endpoint_id = ?",
                endpoint.id())
            .get(0);
    assertArrayEquals(before, (byte[]) row.get("previous_secret"));
    assertEquals(expires, ((java.sql.Timestamp) row.get("previous_secret_until")).toInstant());
    byte[] now = kit.box.open((byte[]) row.get("secret"));
    assertEquals(rotated.secret(), WebhookSecrets.format(now));
    assertEquals(Optional.of(rotated.endpoint()), await(webhooks.get("t-rotate", endpoint.id())));

    assertEquals(
        Optional.empty(), await(webhooks.rotateSecret("t-other", endpoint.id(), Duration.ZERO)));
    assertThrows(
        IllegalArgumentException.class,
        () -> webhooks.rotateSecret("t-rotate", endpoint.id(), Duration.ofDays(8)));
    assertThrows(
        IllegalArgumentException.class,
        () -> webhooks.rotateSecret("t-rotate", endpoint.id(), Duration.ofSeconds(-1)));
  }

  @Test
  void aTargetOutsideTheAllowedOnesIsRefusedWithItsReason() throws Exception {
    for (String url : List.of("http://10.0.0.5/x", "http://127.0.0.2/x", "ftp://127.0.0.1/x")) {
      var e = refused(Reason.TARGET_REFUSED, webhooks.create("t-ssrf", url, TRANSFERS));
      assertNotNull(e.getMessage());
    }
    var endpoint = create("t-ssrf", "http://127.0.0.1/ok");
    refused(
        Reason.TARGET_REFUSED,
        webhooks.update(
            "t-ssrf",
            endpoint.id(),
            Optional.of("http://10.0.0.5/x"),
            Optional.empty(),
            Optional.empty()));
    assertEquals(List.of(endpoint), await(webhooks.list("t-ssrf")));
  }

  @Test
  void eventsMustBeDistinctAndAtLeastOne() {
    assertThrows(
        IllegalArgumentException.class,
        () -> webhooks.create("t-events", "http://127.0.0.1/", List.of()));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            webhooks.create(
                "t-events",
                "http://127.0.0.1/",
                List.of(EventType.ACCOUNT_CREATED, EventType.ACCOUNT_CREATED)));
  }

  @Test
  void aTenantHasAtMostTwentyEndpoints() throws Exception {
    for (int i = 0; i < WebhookEndpoints.MAX_ENDPOINTS; i++) {
      create("t-many", "http://127.0.0.1/" + i);
    }
    refused(Reason.TOO_MANY_ENDPOINTS, webhooks.create("t-many", "http://127.0.0.1/x", TRANSFERS));
    assertEquals(20, await(webhooks.list("t-many")).size());
    create("t-few", "http://127.0.0.1/x"); // another tenant is not counted
  }
}
