package io.bulwark.node;

import static io.bulwark.node.ApiClient.delete;
import static io.bulwark.node.ApiClient.get;
import static io.bulwark.node.ApiClient.put;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The audit log end to end, on a real node over HTTP: actions produce the expected events in the
 * tenant's chain, reading is itself recorded, and a row changed or removed in the database makes
 * verification fail and name where.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditTrailTest {
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
  void actionsBecomeEventsAndTamperingIsNamed() throws Exception {
    var api = fixture.api;
    String platform = fixture.platformKey;
    String admin = fixture.ledger.tenantWithAdmin("audited");
    String adminKeyId = keyId(admin);
    fixture.ledger.account("audited", admin, "alice", "EUR", 0L);
    String viewer = fixture.ledger.key("audited", admin, "viewer");
    api.send(
        put("/v1/tenants/audited/limits")
            .key(platform)
            .json(
                Map.of(
                    "writesPerSecond",
                    50,
                    "writeBurst",
                    50,
                    "readsPerSecond",
                    80,
                    "readBurst",
                    80)));
    assertEquals(
        204, api.send(delete("/v1/tenants/audited/api-keys/" + keyId(viewer)).key(admin)).status());
    // The revoked key, used again: a failure in this tenant's chain, with the key as target.
    assertEquals(401, api.send(get("/v1/tenants/audited/accounts").key(viewer)).status());
    // An operator may not read the log: refused, and that refusal is recorded too.
    String operator = fixture.ledger.key("audited", admin, "operator");
    assertEquals(403, api.send(get("/v1/tenants/audited/audit-events").key(operator)).status());

    var page = api.send(get("/v1/tenants/audited/audit-events?limit=200").key(admin));
    assertEquals(200, page.status(), page.body());
    List<JsonNode> events = new ArrayList<>();
    page.json().get("items").forEach(events::add);
    List<String> actions = events.stream().map(e -> e.get("action").asText()).toList();
    assertEquals(
        List.of(
            "audit.read",
            "access.denied",
            "api_key.issued",
            "authentication.failed",
            "api_key.revoked",
            "limits.changed",
            "api_key.issued",
            "account.created",
            "api_key.issued",
            "tenant.created"),
        actions);
    JsonNode read = events.get(0);
    assertEquals(adminKeyId, read.get("actor").asText());
    assertEquals("success", read.get("outcome").asText());
    assertEquals("127.0.0.1", read.get("clientIp").asText());
    assertEquals(page.header("X-Request-Id").orElseThrow(), read.get("requestId").asText());
    assertEquals(32, read.get("traceId").asText().length());
    JsonNode failure = events.get(3);
    assertEquals("revoked", failure.get("details").get("reason").asText());
    assertEquals("api-keys/" + keyId(viewer), failure.get("target").asText());
    assertEquals("platform", events.get(9).get("actor").asText());
    assertEquals("accounts/alice", events.get(7).get("target").asText());
    assertEquals(events.get(1).get("hash").asText(), events.get(0).get("prevHash").asText());

    JsonNode valid = verify(admin);
    assertTrue(valid.get("valid").asBoolean(), valid.toString());
    assertEquals(11, valid.get("lastSeq").asLong(), "the verification recorded itself first");

    // Someone with the database's password edits a row: the chain names it.
    sql("UPDATE audit_events SET actor = 'platform' WHERE tenant_id = 'audited' AND seq = 6");
    JsonNode altered = verify(admin);
    assertFalse(altered.get("valid").asBoolean());
    assertEquals(6, altered.get("brokenAtSeq").asLong());
    assertTrue(altered.get("problem").asText().contains("altered"), altered.toString());

    sql("DELETE FROM audit_events WHERE tenant_id = 'audited' AND seq = 3");
    JsonNode removed = verify(admin);
    assertFalse(removed.get("valid").asBoolean());
    assertEquals(3, removed.get("brokenAtSeq").asLong());
    assertEquals("event 3 is missing", removed.get("problem").asText());
  }

  @Test
  void theOtherTenantsLogAndThePlatformsAreOutOfReach() {
    var api = fixture.api;
    String admin = fixture.ledger.tenantWithAdmin("nosy");
    assertEquals(404, api.send(get("/v1/tenants/audited/audit-events").key(admin)).status());
    assertEquals(403, api.send(get("/v1/audit-events").key(admin)).status());
    assertEquals(
        200, api.send(get("/v1/audit-events/verification").key(fixture.platformKey)).status());
    // A token that is no key at all is recorded in the platform's chain.
    assertEquals(
        401,
        api.send(get("/v1/tenants/nosy/accounts").key("bwk_nosy.kdoesnotexist000000000.x"))
            .status());
    var platformLog =
        api.send(get("/v1/audit-events?action=authentication.failed").key(fixture.platformKey));
    assertEquals(200, platformLog.status(), platformLog.body());
    assertTrue(platformLog.body().contains("\"reason\":\"unknown_key\""), platformLog.body());
  }

  private JsonNode verify(String admin) {
    var response =
        fixture.api.send(get("/v1/tenants/audited/audit-events/verification").key(admin));
    assertEquals(200, response.status(), response.body());
    return response.json();
  }

  private static String keyId(String secret) {
    String[] parts = secret.split("\\.");
    return parts[parts.length - 2];
  }

  /** As someone with direct access to the database: the append-only trigger bypassed. */
  private void sql(String statement) throws SQLException {
    try (var c = fixture.db.dataSource().getConnection();
        var s = c.createStatement()) {
      s.execute("SET session_replication_role = replica");
      s.execute(statement);
    }
  }
}
