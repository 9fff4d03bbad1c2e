package io.bulwark.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** NDJSON batch uploads over real HTTP: one result per line, in order, and replays. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BatchTransferTest {
  private static final String TENANT = "batch";
  private static final int ACCOUNTS = 10;
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private SingleNodeFixture f;
  private String admin;

  @BeforeAll
  void start() throws Exception {
    f = new SingleNodeFixture("bulwark.http.batch.max-lines = 1500");
    admin = f.ledger.tenantWithAdmin(TENANT);
    f.ledger.account(TENANT, admin, "bank", "EUR", null);
    for (int i = 0; i < ACCOUNTS; i++) {
      f.ledger.account(TENANT, admin, "acc-" + i, "EUR", 0L);
    }
  }

  @AfterAll
  void stop() throws Exception {
    f.close();
  }

  private List<JsonNode> upload(String ndjson, String contentType) throws Exception {
    var request =
        HttpRequest.newBuilder(
                java.net.URI.create(
                    f.node.baseUrl() + "/v1/tenants/" + TENANT + "/transfers:batch"))
            .timeout(Duration.ofSeconds(120))
            .header("Authorization", "Bearer " + admin)
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofString(ndjson))
            .build();
    HttpResponse<java.util.stream.Stream<String>> response =
        HTTP.send(request, HttpResponse.BodyHandlers.ofLines());
    if (response.statusCode() != 200) {
      throw new AssertionError(
          response.statusCode() + " " + response.body().collect(Collectors.joining("\n")));
    }
    assertTrue(
        response
            .headers()
            .firstValue("Content-Type")
            .orElse("")
            .startsWith("application/x-ndjson"));
    List<JsonNode> lines = new ArrayList<>();
    for (String line : response.body().toList()) {
      lines.add(ApiClient.JSON.readTree(line));
    }
    return lines;
  }

  private static String transferLine(String key, String from, String to, long amount) {
    return "{\"idempotencyKey\":\""
        + key
        + "\",\"from\":\""
        + from
        + "\",\"to\":\""
        + to
        + "\",\"amount\":"
        + amount
        + ",\"currency\":\"EUR\"}";
  }

  @Test
  void everyLineGetsItsOwnResultInOrderAndAReUploadExecutesNothingTwice() throws Exception {
    var input = new StringBuilder();
    int lines = 1_000;
    for (int i = 1; i <= lines; i++) {
      String line =
          switch (i) {
            case 17 -> "{not json";
            case 42 -> "{\"from\":\"bank\",\"to\":\"acc-1\",\"amount\":1,\"currency\":\"EUR\"}";
            case 99 -> transferLine("b-99", "bank", "acc-1", -5);
            case 500 -> "";
            default -> transferLine("b-" + i, "bank", "acc-" + (i % ACCOUNTS), i);
          };
      input.append(line).append('\n');
    }
    var first = upload(input.toString(), "application/x-ndjson");

    assertEquals(lines, first.size());
    long[] expectedPerAccount = new long[ACCOUNTS];
    for (int i = 1; i <= lines; i++) {
      JsonNode result = first.get(i - 1);
      assertEquals(i, result.get("line").asInt(), result.toString());
      if (i == 17 || i == 42 || i == 99 || i == 500) {
        assertEquals(400, result.get("status").asInt(), result.toString());
        assertEquals(400, result.get("body").get("status").asInt());
        continue;
      }
      assertEquals(201, result.get("status").asInt(), result.toString());
      assertEquals("b-" + i, result.get("idempotencyKey").asText());
      assertEquals("b-" + i, result.get("body").get("id").asText());
      assertEquals("completed", result.get("body").get("status").asText());
      assertFalse(result.get("replayed").asBoolean());
      expectedPerAccount[i % ACCOUNTS] += i;
    }
    assertEquals(
        "idempotencyKey", first.get(41).get("body").get("member").asText(), "line 42 names it");
    assertEquals("invalid_amount", first.get(98).get("body").get("code").asText());

    var again = upload(input.toString(), "application/x-ndjson");
    assertEquals(lines, again.size());
    for (int i = 1; i <= lines; i++) {
      JsonNode before = first.get(i - 1);
      JsonNode after = again.get(i - 1);
      assertEquals(before.get("status"), after.get("status"), after.toString());
      if (before.get("status").asInt() == 201) {
        assertTrue(after.get("replayed").asBoolean(), after.toString());
        assertEquals(before.get("body"), after.get("body"));
      }
    }
    for (int a = 0; a < ACCOUNTS; a++) {
      assertEquals(expectedPerAccount[a], f.ledger.balance(TENANT, admin, "acc-" + a), "acc-" + a);
    }
  }

  @Test
  void aBatchBeyondItsMaximumStopsWithA413Line() throws Exception {
    var input = new StringBuilder();
    for (int i = 0; i < 1_600; i++) {
      input.append("{}\n");
    }
    var results = upload(input.toString(), "application/x-ndjson");
    assertEquals(1_501, results.size());
    assertEquals(400, results.get(1_499).get("status").asInt());
    assertEquals(413, results.get(1_500).get("status").asInt());
    assertEquals("batch_too_large", results.get(1_500).get("body").get("code").asText());
  }

  @Test
  void aBatchMustBeNdjson() throws Exception {
    var response =
        f.api.send(
            ApiClient.post("/v1/tenants/" + TENANT + "/transfers:batch")
                .key(admin)
                .body(transferLine("x", "bank", "acc-1", 1)));
    assertEquals(415, response.status(), response.body());
  }
}
