package io.bulwark.http;

import static io.bulwark.http.WebhookApi.PLATFORM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.audit.AuditAction;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Webhook endpoints through the API: made, shown, changed, rotated and removed by admins, with a
 * secret shown once and never audited, and every client mistake a 4xx problem.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookRoutesTest {
  private static final String WEBHOOKS = "/v1/tenants/acme/webhooks";
  private WebhookApi api;

  @BeforeAll
  void start() throws Exception {
    api = new WebhookApi();
  }

  @AfterAll
  void stop() {
    api.assertNoSecretAudited();
    api.close();
  }

  @Test
  void anEndpointIsCreatedWithASecretShownOnce() throws Exception {
    var response =
        api.send(
            "POST",
            WEBHOOKS,
            api.server.adminKey,
            "{\"url\":\"http://127.0.0.1:8080/hooks?x=1\","
                + "\"events\":[\"transfer.completed\",\"account.created\"]}");
    var created = api.json(response, 201);
    String id = created.get("id").asText();
    assertTrue(id.matches("we_[0-9a-f]{24}"), id);
    assertEquals(WEBHOOKS + "/" + id, response.headers().firstValue("Location").orElseThrow());
    assertTrue(created.get("secret").asText().startsWith("whsec_"));
    assertEquals("http://127.0.0.1:8080/hooks?x=1", created.get("url").asText());
    assertEquals("[\"transfer.completed\",\"account.created\"]", created.get("events").toString());
    assertTrue(created.get("enabled").asBoolean());
    assertTrue(created.hasNonNull("createdAt"));

    var one = api.json(api.send("GET", WEBHOOKS + "/" + id, api.server.adminKey, null), 200);
    assertFalse(one.has("secret"));
    assertEquals(id, one.get("id").asText());
    var list = api.send("GET", WEBHOOKS, PLATFORM, null);
    assertEquals(200, list.statusCode(), list.body());
    assertFalse(list.body().contains("whsec_") || list.body().contains("\"secret\""));
    assertTrue(list.body().contains(id));

    var audited = api.auditedFor(id);
    assertEquals(1, audited.size(), audited.toString());
    assertEquals(AuditAction.WEBHOOK_CREATED, audited.get(0).action());
    assertEquals("acme", audited.get(0).tenantId());
    assertEquals(
        Map.of(
            "url",
            "http://127.0.0.1:8080/hooks?x=1",
            "events",
            List.of("transfer.completed", "account.created"),
            "enabled",
            true),
        audited.get(0).details());
    api.assertNoSecretAudited();
  }

  @Test
  void aTargetOutsideTheAllowListIsRefusedWithTheReason() throws Exception {
    for (String url : List.of("http://127.0.0.2/x", "http://10.0.0.5/x")) {
      var problem =
          api.problem(
              api.send(
                  "POST",
                  WEBHOOKS,
                  api.server.adminKey,
                  "{\"url\":\"" + url + "\",\"events\":[\"account.created\"]}"),
              422,
              "webhook_target_refused");
      assertEquals("url", problem.get("member").asText());
      String host = url.substring(7, url.indexOf('/', 7));
      assertTrue(problem.get("detail").asText().contains(host), problem.toString());
    }
  }

  @Test
  void badBodiesAndIdsAreBadRequestsNamingTheMember() throws Exception {
    String key = api.server.adminKey;
    var unknown =
        api.problem(
            api.send("POST", WEBHOOKS, key, "{\"url\":\"http://127.0.0.1/\",\"events\":[\"x\"]}"),
            400,
            "invalid_event_type");
    assertEquals("events", unknown.get("member").asText());
    for (var body :
        Map.of(
                "{\"url\":\"http://127.0.0.1/\",\"events\":[]}",
                "events",
                "{\"url\":\"http://127.0.0.1/\",\"events\":\"account.created\"}",
                "events",
                "{\"url\":\"http://127.0.0.1/\","
                    + "\"events\":[\"account.created\",\"account.created\"]}",
                "events",
                "{\"events\":[\"account.created\"]}",
                "url",
                "{\"url\":7,\"events\":[\"account.created\"]}",
                "url")
            .entrySet()) {
      var problem =
          api.problem(api.send("POST", WEBHOOKS, key, body.getKey()), 400, "invalid_request");
      assertEquals(body.getValue(), problem.get("member").asText(), body.getKey());
    }
    api.problem(api.send("POST", WEBHOOKS, key, "not json"), 400, "invalid_request");
    api.problem(api.send("POST", WEBHOOKS, key, null), 415, "unsupported_media_type");
    api.problem(api.send("GET", WEBHOOKS + "/nope", key, null), 400, "invalid_id");
    String missing = WEBHOOKS + "/we_" + "0".repeat(24);
    api.problem(api.send("GET", missing, key, null), 404, "not_found");
    api.problem(api.send("DELETE", missing, key, null), 404, "not_found");
    api.problem(api.send("PATCH", missing, key, "{\"enabled\":true}"), 404, "not_found");
    api.problem(api.send("POST", missing + "/rotate-secret", key, null), 404, "not_found");

    String id = api.create("/bad", "[\"account.created\"]");
    String one = WEBHOOKS + "/" + id;
    api.problem(api.send("PATCH", one, key, "{}"), 400, "invalid_request");
    var enabled =
        api.problem(api.send("PATCH", one, key, "{\"enabled\":\"no\"}"), 400, "invalid_request");
    assertEquals("enabled", enabled.get("member").asText());
    api.problem(api.send("PATCH", one, key, "{\"events\":[\"nope\"]}"), 400, "invalid_event_type");
    var overlap =
        api.problem(
            api.send("POST", one + "/rotate-secret", key, "{\"overlapSeconds\":604801}"),
            400,
            "invalid_request");
    assertEquals("overlapSeconds", overlap.get("member").asText());
  }

  @Test
  void adminsAndThePlatformManageEndpointsAndNoOneElse() throws Exception {
    String body = "{\"url\":\"http://127.0.0.1/a\",\"events\":[\"account.created\"]}";
    api.problem(api.send("POST", WEBHOOKS, api.server.viewerKey, body), 403, "forbidden");
    api.problem(api.send("POST", WEBHOOKS, api.server.operatorKey, body), 403, "forbidden");
    api.problem(api.send("GET", WEBHOOKS, api.server.operatorKey, null), 403, "forbidden");
    api.problem(
        api.send("POST", "/v1/tenants/other/webhooks", api.server.adminKey, body),
        404,
        "not_found");
    api.problem(
        api.send("GET", "/v1/tenants/other/webhooks", api.server.operatorKey, null),
        404,
        "not_found");
    String id = api.json(api.send("POST", WEBHOOKS, PLATFORM, body), 201).get("id").asText();
    // the platform key may name any id: a tenant that does not exist gets no endpoint
    api.problem(api.send("POST", "/v1/tenants/ghost/webhooks", PLATFORM, body), 404, "not_found");
    api.problem(
        api.send("DELETE", WEBHOOKS + "/" + id, api.server.viewerKey, null), 403, "forbidden");
    api.problem(
        api.send("POST", WEBHOOKS + "/" + id + "/rotate-secret", api.server.operatorKey, null),
        403,
        "forbidden");
    var notAllowed = api.send("PUT", WEBHOOKS, api.server.adminKey, "{}");
    api.problem(notAllowed, 405, "method_not_allowed");
    assertEquals("GET, POST", notAllowed.headers().firstValue("Allow").orElseThrow());
    var one = api.send("POST", WEBHOOKS + "/" + id, api.server.adminKey, "{}");
    assertEquals("DELETE, GET, PATCH", one.headers().firstValue("Allow").orElseThrow());
  }

  @Test
  void anEndpointIsDisabledEnabledAndRetargeted() throws Exception {
    String id = api.create("/patch", "[\"account.created\"]");
    String one = WEBHOOKS + "/" + id;
    var disabled =
        api.json(api.send("PATCH", one, api.server.adminKey, "{\"enabled\":false}"), 200);
    assertFalse(disabled.get("enabled").asBoolean());
    assertEquals("disabled", disabled.get("disabledReason").asText());
    var enabled =
        api.json(
            api.send(
                "PATCH",
                one,
                PLATFORM,
                "{\"enabled\":true,\"url\":\"http://127.0.0.1/v2\","
                    + "\"events\":[\"transfer.rejected\"]}"),
            200);
    assertTrue(enabled.get("enabled").asBoolean());
    assertTrue(enabled.get("disabledReason").isNull());
    assertEquals("http://127.0.0.1/v2", enabled.get("url").asText());
    assertEquals("[\"transfer.rejected\"]", enabled.get("events").toString());
    api.problem(
        api.send("PATCH", one, api.server.adminKey, "{\"url\":\"http://10.0.0.5/x\"}"),
        422,
        "webhook_target_refused");

    var audited = api.auditedFor(id);
    assertEquals(3, audited.size(), audited.toString());
    assertEquals(AuditAction.WEBHOOK_UPDATED, audited.get(1).action());
    assertEquals(Map.of("enabled", false), audited.get(1).details());
    assertEquals(
        Map.of(
            "enabled", true, "url", "http://127.0.0.1/v2", "events", List.of("transfer.rejected")),
        audited.get(2).details());
  }

  @Test
  void aRotatedSecretIsShownOnceAndTheOldOneOverlaps() throws Exception {
    String id = api.create("/rotate", "[\"account.created\"]");
    String rotate = WEBHOOKS + "/" + id + "/rotate-secret";
    Instant before = Instant.now();
    var first = api.json(api.send("POST", rotate, api.server.adminKey, null), 200);
    assertEquals(id, first.get("id").asText());
    assertTrue(first.get("secret").asText().startsWith("whsec_"));
    Instant expires = Instant.parse(first.get("previousSecretExpiresAt").asText());
    assertFalse(expires.isBefore(before.plus(Duration.ofDays(1))), "a day by default");
    var second = api.json(api.send("POST", rotate, PLATFORM, "{\"overlapSeconds\":0}"), 200);
    assertNotEquals(first.get("secret").asText(), second.get("secret").asText());
    var shown = api.json(api.send("GET", WEBHOOKS + "/" + id, api.server.adminKey, null), 200);
    assertFalse(shown.has("secret"));
    assertEquals(
        second.get("previousSecretExpiresAt").asText(),
        shown.get("previousSecretExpiresAt").asText());

    var audited = api.auditedFor(id);
    assertEquals(AuditAction.WEBHOOK_SECRET_ROTATED, audited.get(1).action());
    assertEquals(Map.of("overlapSeconds", 86_400), audited.get(1).details());
    assertEquals(Map.of("overlapSeconds", 0), audited.get(2).details());
    api.assertNoSecretAudited();
  }

  @Test
  void aDeletedEndpointIsGone() throws Exception {
    String id = api.create("/delete", "[\"account.created\"]");
    String one = WEBHOOKS + "/" + id;
    var deleted = api.send("DELETE", one, api.server.adminKey, null);
    assertEquals(204, deleted.statusCode(), deleted.body());
    api.problem(api.send("GET", one, api.server.adminKey, null), 404, "not_found");
    api.problem(api.send("DELETE", one, api.server.adminKey, null), 404, "not_found");
    api.problem(api.send("GET", one + "/deliveries", api.server.adminKey, null), 404, "not_found");
    var audited = api.auditedFor(id);
    assertEquals(2, audited.size(), audited.toString());
    assertEquals(AuditAction.WEBHOOK_DELETED, audited.get(1).action());
  }
}
