package io.bulwark.http;

import static io.bulwark.http.HostileInputRoutesTest.HOSTILE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.testing.WebhookTables;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The webhook endpoints and their queue operations, over real tables, with a NUL, a lone surrogate
 * and a C1 control in each string they take: 400 naming the member, and the tables as they were.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileWebhookRoutesTest {
  private static final String WEBHOOKS = "/v1/tenants/acme/webhooks";

  private WebhookApi api;
  private String endpoint;

  @BeforeAll
  void start() throws Exception {
    api = new WebhookApi();
    String id = api.create("/hostile", "[\"transfer.completed\"]");
    endpoint = WEBHOOKS + "/" + id;
    new WebhookTables(api.db.dataSource())
        .delivery(
            "acme",
            id,
            1,
            "transfer.completed",
            "a",
            "dead",
            Instant.now().minus(Duration.ofHours(1)));
  }

  @AfterAll
  void stop() {
    api.close();
  }

  private JsonNode refused(String method, String path, String body, String member, String code)
      throws Exception {
    int audited = api.server.audited.size();
    var problem = api.problem(api.send(method, path, api.server.adminKey, body), 400, code);
    assertEquals(member, problem.get("member").asText(), problem.toString());
    assertEquals(audited, api.server.audited.size(), "nothing done, so nothing audited");
    return problem;
  }

  @Test
  void noEndpointIsMadeFromAHostileUrlEventOrIgnoredMember() throws Exception {
    String url = "http://127.0.0.1:8080/h";
    for (String bad : HOSTILE) {
      String x = "x" + bad;
      refused(
          "POST",
          WEBHOOKS,
          "{\"url\":\"" + url + x + "\",\"events\":[\"transfer.completed\"]}",
          "url",
          "invalid_request");
      refused(
          "POST",
          WEBHOOKS,
          "{\"url\":\"" + url + "\",\"events\":[\"" + x + "\"]}",
          "events[0]",
          "invalid_request");
      refused(
          "POST",
          WEBHOOKS,
          "{\"url\":\"" + url + "\",\"events\":[\"transfer.completed\"],\"note\":\"" + x + "\"}",
          "note",
          "invalid_request");
    }
    var list = api.json(api.send("GET", WEBHOOKS, api.server.adminKey, null), 200);
    assertEquals(1, list.get("items").size(), "only the endpoint made before: " + list);
  }

  @Test
  void anEndpointIsNotChangedNorRotatedByAHostileBody() throws Exception {
    var before = api.json(api.send("GET", endpoint, api.server.adminKey, null), 200);
    for (String bad : HOSTILE) {
      String x = "x" + bad;
      refused(
          "PATCH",
          endpoint,
          "{\"url\":\"http://127.0.0.1:8080/" + x + "\"}",
          "url",
          "invalid_request");
      refused("PATCH", endpoint, "{\"events\":[\"" + x + "\"]}", "events[0]", "invalid_request");
      refused(
          "PATCH", endpoint, "{\"enabled\":false,\"why\":\"" + x + "\"}", "why", "invalid_request");
      refused(
          "POST",
          endpoint + "/rotate-secret",
          "{\"note\":\"" + x + "\"}",
          "note",
          "invalid_request");
      refused(
          "POST",
          endpoint + "/recover",
          "{\"since\":\"2026-01-01T00:00:00Z" + x + "\"}",
          "since",
          "invalid_request");
    }
    var after = api.json(api.send("GET", endpoint, api.server.adminKey, null), 200);
    assertEquals(before, after);
    assertTrue(after.get("previousSecretExpiresAt").isNull(), "never rotated");
  }

  @Test
  void queueOperationsRefuseHostilePathIdsAndQueryValues() throws Exception {
    for (String bad : new String[] {"%00", "%ED%A0%80", "%C2%85"}) {
      refused(
          "POST",
          endpoint + "/deliveries/msg_1" + bad + "/resend",
          null,
          "webhookId",
          "invalid_id");
      refused("POST", WEBHOOKS + "/we_" + bad + "/replay", null, "endpointId", "invalid_id");
      refused("GET", endpoint + "/recoveries/wr_" + bad, null, "recoveryId", "invalid_id");
      refused("GET", endpoint + "/deliveries?state=" + bad, null, "state", "invalid_request");
      refused("GET", endpoint + "/dead-letters?cursor=" + bad, null, "cursor", "invalid_cursor");
    }
    var dead =
        api.json(api.send("GET", endpoint + "/dead-letters", api.server.adminKey, null), 200);
    assertEquals(1, dead.get("items").size(), "the dead letter is still dead: " + dead);
  }
}
