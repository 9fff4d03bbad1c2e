package io.bulwark.node;

import static io.bulwark.node.ApiClient.get;
import static io.bulwark.node.ApiClient.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Keys that end: an expired API key is 401; a rotated key keeps working for its overlap and then
 * stops; the platform key rotates with both keys valid during the overlap, only the new one after.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KeyRotationTest {
  private SingleNodeFixture fixture;

  @BeforeAll
  void start() {
    fixture = new SingleNodeFixture();
  }

  @AfterAll
  void stop() throws Exception {
    fixture.close();
  }

  @Test
  void anExpiredKeyIsUnauthenticated() throws Exception {
    var api = fixture.api;
    String admin = fixture.ledger.tenantWithAdmin("expiring");
    Instant expiresAt = Instant.now().plusSeconds(2);
    var created =
        api.send(
            post("/v1/tenants/expiring/api-keys")
                .key(admin)
                .json(
                    Map.of(
                        "name",
                        "short-lived",
                        "roles",
                        List.of("viewer"),
                        "expiresAt",
                        expiresAt.toString())));
    assertEquals(201, created.status(), created.body());
    assertEquals(
        expiresAt, Instant.parse(created.json().get("expiresAt").asText()), created.body());
    String key = created.json().get("secret").asText();
    assertEquals(200, api.send(get("/v1/tenants/expiring").key(key)).status());
    awaitStatus(401, key, "/v1/tenants/expiring");
    assertTrue(Instant.now().isAfter(expiresAt), "refused only once it has expired");
    var failures =
        api.send(get("/v1/tenants/expiring/audit-events?action=authentication.failed").key(admin));
    assertTrue(failures.body().contains("\"reason\":\"expired\""), failures.body());
    var past =
        api.send(
            post("/v1/tenants/expiring/api-keys")
                .key(admin)
                .json(
                    Map.of(
                        "name",
                        "x",
                        "roles",
                        List.of("viewer"),
                        "expiresAt",
                        "2020-01-01T00:00:00Z")));
    assertEquals(400, past.status(), past.body());
  }

  @Test
  void aRotatedKeyWorksDuringItsOverlapAndNotAfter() throws Exception {
    var api = fixture.api;
    String admin = fixture.ledger.tenantWithAdmin("rotating");
    String old = fixture.ledger.key("rotating", admin, "operator");
    String oldId = old.split("\\.")[1];
    var rotated =
        api.send(
            post("/v1/tenants/rotating/api-keys/" + oldId + "/rotate")
                .key(admin)
                .json(Map.of("overlapSeconds", 2)));
    assertEquals(201, rotated.status(), rotated.body());
    String fresh = rotated.json().get("secret").asText();
    assertNotEquals(old, fresh);
    assertEquals(List.of("operator"), List.of(rotated.json().get("roles").get(0).asText()));
    assertEquals(oldId, rotated.json().get("replaces").get("id").asText());
    // Both work during the overlap...
    assertEquals(200, api.send(get("/v1/tenants/rotating/accounts").key(old)).status());
    assertEquals(200, api.send(get("/v1/tenants/rotating/accounts").key(fresh)).status());
    // ...and after it only the new one.
    awaitStatus(401, old, "/v1/tenants/rotating/accounts");
    assertEquals(200, api.send(get("/v1/tenants/rotating/accounts").key(fresh)).status());
    // The old key is spent: it cannot be rotated again.
    var again =
        api.send(
            post("/v1/tenants/rotating/api-keys/" + oldId + "/rotate").key(admin).json(Map.of()));
    assertEquals(409, again.status(), again.body());
    var rotations =
        api.send(get("/v1/tenants/rotating/audit-events?action=api_key.rotated").key(admin));
    assertTrue(rotations.body().contains("api-keys/" + oldId), rotations.body());
  }

  @Test
  void anAdminChangesAKeysRolesAndTheChangeIsAudited() {
    var api = fixture.api;
    String admin = fixture.ledger.tenantWithAdmin("reroled");
    String key = fixture.ledger.key("reroled", admin, "viewer");
    String keyId = key.split("\\.")[1];
    var account = Map.of("id", "a1", "currency", "EUR");
    assertEquals(
        403, api.send(post("/v1/tenants/reroled/accounts").key(key).json(account)).status());
    var changed =
        api.send(
            ApiClient.patch("/v1/tenants/reroled/api-keys/" + keyId)
                .key(admin)
                .json(Map.of("roles", List.of("operator"))));
    assertEquals(200, changed.status(), changed.body());
    assertEquals("operator", changed.json().get("roles").get(0).asText());
    assertEquals(
        201, api.send(post("/v1/tenants/reroled/accounts").key(key).json(account)).status());
    var events =
        api.send(get("/v1/tenants/reroled/audit-events?action=api_key.roles_changed").key(admin));
    var details = events.json().get("items").get(0).get("details");
    assertEquals("viewer", details.get("from").get(0).asText(), events.body());
    assertEquals("operator", details.get("to").get(0).asText(), events.body());
    var unknownRole =
        api.send(
            ApiClient.patch("/v1/tenants/reroled/api-keys/" + keyId)
                .key(admin)
                .json(Map.of("roles", List.of("owner"))));
    assertEquals(400, unknownRole.status());
  }

  @Test
  void thePlatformKeyRotatesWithoutDowntime() throws Exception {
    String oldKey = TestNode.newPlatformKey();
    String newKey = TestNode.newPlatformKey();
    try (var db = TestDatabase.create()) {
      var before = TestNode.seed(db, oldKey).start();
      var api = new ApiClient(before.baseUrl(), new OpenApiContract());
      assertEquals(201, createTenant(api, oldKey, "before"));
      before.stop();
      // During the overlap the node takes both keys (BULWARK_PLATFORM_KEY_PREVIOUS).
      var overlap = TestNode.seed(db, newKey).withPreviousPlatformKeys(List.of(oldKey)).start();
      api = new ApiClient(overlap.baseUrl(), new OpenApiContract());
      assertEquals(201, createTenant(api, oldKey, "during-old"));
      assertEquals(201, createTenant(api, newKey, "during-new"));
      overlap.stop();
      // After it, only the new one.
      var after = TestNode.seed(db, newKey).start();
      api = new ApiClient(after.baseUrl(), new OpenApiContract());
      assertEquals(401, createTenant(api, oldKey, "after-old"));
      assertEquals(201, createTenant(api, newKey, "after-new"));
      after.stop();
    }
  }

  private static int createTenant(ApiClient api, String platformKey, String id) {
    return api.send(post("/v1/tenants").key(platformKey).json(Map.of("id", id, "name", id)))
        .status();
  }

  private void awaitStatus(int status, String key, String path) throws Exception {
    io.bulwark.testing.Eventually.await(
        Duration.ofSeconds(15),
        () -> assertEquals(status, fixture.api.send(get(path).key(key)).status(), path));
  }
}
