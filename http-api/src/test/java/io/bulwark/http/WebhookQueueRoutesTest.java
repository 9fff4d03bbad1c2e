package io.bulwark.http;

import static io.bulwark.http.WebhookApi.PLATFORM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.audit.AuditAction;
import io.bulwark.testing.WebhookTables;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * An endpoint's queues through the API, for admins and operators: deliveries and dead letters (rows
 * written as the delivery side would), resend, replay and recover, each audited.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookQueueRoutesTest {
  private WebhookApi api;
  private WebhookTables tables;

  @BeforeAll
  void start() throws Exception {
    api = new WebhookApi();
    tables = new WebhookTables(api.db.dataSource());
  }

  @AfterAll
  void stop() {
    api.assertNoSecretAudited();
    api.close();
  }

  /** An endpoint whose queue of account a holds 1 delivered, 2 dead, 3 parked; of b 4 pending. */
  private String endpointWithQueues(long base) throws Exception {
    String id = api.create("/q" + base, "[\"transfer.completed\"]");
    Instant at = Instant.now().minus(Duration.ofHours(1));
    tables.delivery("acme", id, base + 1, "transfer.completed", "a", "delivered", at);
    tables.delivery("acme", id, base + 2, "transfer.completed", "a", "dead", at);
    tables.delivery("acme", id, base + 3, "transfer.completed", "a", "pending", at);
    tables.delivery("acme", id, base + 4, "transfer.completed", "b", "pending", at);
    return "/v1/tenants/acme/webhooks/" + id;
  }

  private static List<String> states(JsonNode page) {
    List<String> states = new ArrayList<>();
    page.get("items")
        .forEach(d -> states.add(d.get("seq").asLong() % 100 + ":" + d.get("state").asText()));
    return states;
  }

  @Test
  void operatorsSeeDeliveriesNewestFirstAndDeadLettersInQueueOrder() throws Exception {
    String endpoint = endpointWithQueues(100);
    String operator = api.server.operatorKey;
    var all = api.json(api.send("GET", endpoint + "/deliveries", operator, null), 200);
    assertEquals(List.of("4:pending", "3:parked", "2:dead", "1:delivered"), states(all));
    assertTrue(all.get("nextCursor").isNull());
    var dead = all.get("items").get(2);
    assertEquals("msg_102", dead.get("webhookId").asText());
    assertEquals("a", dead.get("accountId").asText());
    assertEquals("transfer.completed", dead.get("eventType").asText());
    assertEquals(500, dead.get("lastStatus").asInt());
    assertTrue(dead.get("nextAttemptAt").isNull());
    assertTrue(dead.hasNonNull("deadAt"));

    var parked =
        api.json(api.send("GET", endpoint + "/deliveries?state=parked", PLATFORM, null), 200);
    assertEquals(List.of("3:parked"), states(parked));
    var first = api.json(api.send("GET", endpoint + "/deliveries?limit=3", operator, null), 200);
    assertEquals(3, first.get("items").size());
    var rest =
        api.json(
            api.send(
                "GET",
                endpoint + "/deliveries?limit=3&cursor=" + first.get("nextCursor").asText(),
                operator,
                null),
            200);
    assertEquals(List.of("1:delivered"), states(rest));
    var letters =
        api.json(api.send("GET", endpoint + "/dead-letters", api.server.adminKey, null), 200);
    assertEquals(List.of("2:dead"), states(letters));

    api.problem(
        api.send("GET", endpoint + "/deliveries?state=lost", operator, null),
        400,
        "invalid_request");
    api.problem(
        api.send("GET", endpoint + "/deliveries?limit=0", operator, null), 400, "invalid_request");
    api.problem(
        api.send("GET", endpoint + "/dead-letters?cursor=nope", operator, null),
        400,
        "invalid_cursor");
    api.problem(
        api.send("GET", endpoint + "/deliveries", api.server.viewerKey, null), 403, "forbidden");
    api.problem(
        api.send("GET", endpoint.replace("/acme/", "/other/") + "/deliveries", operator, null),
        404,
        "not_found");
    String unknown = "/v1/tenants/acme/webhooks/we_" + "0".repeat(24);
    api.problem(api.send("GET", unknown + "/dead-letters", operator, null), 404, "not_found");
    var notAllowed = api.send("POST", endpoint + "/deliveries", operator, "{}");
    assertEquals("GET", notAllowed.headers().firstValue("Allow").orElseThrow());
  }

  @Test
  void resendAndReplayPutDeliveriesBackAndAreAudited() throws Exception {
    String endpoint = endpointWithQueues(200);
    String id = endpoint.substring(endpoint.lastIndexOf('/') + 1);
    String operator = api.server.operatorKey;
    var resent =
        api.json(api.send("POST", endpoint + "/deliveries/msg_201/resend", operator, null), 202);
    assertEquals("pending", resent.get("state").asText());
    assertEquals(0, resent.get("attempts").asInt());
    api.problem(
        api.send("POST", endpoint + "/deliveries/msg_999/resend", operator, null),
        404,
        "not_found");
    api.problem(
        api.send("POST", endpoint + "/deliveries/msg_201/resend", api.server.viewerKey, null),
        403,
        "forbidden");

    tables.delivery("acme", id, 205, "transfer.completed", "c", "dead", Instant.now());
    var replayed = api.json(api.send("POST", endpoint + "/replay", PLATFORM, null), 202);
    assertEquals(2, replayed.get("replayed").asLong());
    var all = api.json(api.send("GET", endpoint + "/deliveries", operator, null), 200);
    assertEquals(
        List.of("5:pending", "4:pending", "3:pending", "2:pending", "1:pending"), states(all));
    var notAllowed = api.send("GET", endpoint + "/replay", operator, null);
    assertEquals("POST", notAllowed.headers().firstValue("Allow").orElseThrow());

    var audited = api.auditedFor(id);
    assertEquals(AuditAction.WEBHOOK_DELIVERY_RESENT, audited.get(1).action());
    assertEquals(Map.of("webhookId", "msg_201"), audited.get(1).details());
    assertEquals(AuditAction.WEBHOOK_REPLAYED, audited.get(2).action());
    assertEquals(Map.of("replayed", 2L), audited.get(2).details());
    assertEquals(3, audited.size(), audited.toString());
  }

  @Test
  void aRecoveryIsStartedAndItsProgressRead() throws Exception {
    String id = api.create("/recover", "[\"account.created\"]");
    String endpoint = "/v1/tenants/acme/webhooks/" + id;
    Instant since = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.MICROS);
    tables.message("acme", 301, "account.created", "a", since.plusSeconds(60));
    tables.message("acme", 302, "account.created", "b", since.plusSeconds(120));
    var response =
        api.send(
            "POST", endpoint + "/recover", api.server.operatorKey, "{\"since\":\"" + since + "\"}");
    var started = api.json(response, 202);
    String location = response.headers().firstValue("Location").orElseThrow();
    assertEquals(endpoint + "/recoveries/" + started.get("id").asText(), location);
    assertEquals("running", started.get("state").asText());
    assertTrue(started.get("total").isNull());
    assertEquals(since, Instant.parse(started.get("since").asText()));

    assertEquals(1, api.webhooks.runRecoveries());
    var done = api.json(api.send("GET", location, api.server.operatorKey, null), 200);
    assertEquals("completed", done.get("state").asText());
    assertEquals(2, done.get("total").asLong());
    assertEquals(2, done.get("done").asLong());
    assertTrue(done.hasNonNull("finishedAt"));
    var queued = api.json(api.send("GET", endpoint + "/deliveries", PLATFORM, null), 200);
    assertEquals(List.of("2:pending", "1:pending"), states(queued));

    var audited = api.auditedFor(id);
    assertEquals(AuditAction.WEBHOOK_RECOVERY_STARTED, audited.get(1).action());
    assertEquals(started.get("id").asText(), audited.get(1).details().get("recoveryId"));

    String key = api.server.adminKey;
    var bad =
        api.problem(
            api.send("POST", endpoint + "/recover", key, "{\"since\":\"yesterday\"}"),
            400,
            "invalid_request");
    assertEquals("since", bad.get("member").asText());
    api.problem(api.send("POST", endpoint + "/recover", key, "{}"), 400, "invalid_request");
    String future = "{\"since\":\"" + Instant.now().plus(Duration.ofHours(1)) + "\"}";
    api.problem(api.send("POST", endpoint + "/recover", key, future), 422, "since_out_of_range");
    String old = "{\"since\":\"" + Instant.now().minus(Duration.ofDays(31)) + "\"}";
    api.problem(api.send("POST", endpoint + "/recover", key, old), 422, "since_out_of_range");
    api.problem(
        api.send("GET", endpoint + "/recoveries/wr_" + "0".repeat(24), key, null),
        404,
        "not_found");
    api.problem(api.send("GET", endpoint + "/recoveries/nope", key, null), 400, "invalid_id");
    api.problem(
        api.send("POST", endpoint + "/recover", api.server.viewerKey, future), 403, "forbidden");
  }
}
