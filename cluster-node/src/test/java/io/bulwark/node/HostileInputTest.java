package io.bulwark.node;

import static io.bulwark.node.ApiClient.get;
import static io.bulwark.node.ApiClient.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.testing.Eventually;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 19 on a real node over real storage: a NUL, a lone surrogate or a C1 control in client text
 * is refused at the edge naming the member, and nothing of it is stored (the journal, the read
 * models, the Idempotency-Key); text in any script is stored and projected intact. Requests the
 * HTTP parser refuses answer problem+json with the node's own configuration.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileInputTest {
  private static final String T = "/v1/tenants/hostile";
  private static final List<String> HOSTILE = List.of("\\u0000", "\\ud800", "\\u0085");

  private SingleNodeFixture f;
  private String admin;

  @BeforeAll
  void start() {
    f = new SingleNodeFixture();
    admin = f.ledger.tenantWithAdmin("hostile");
    f.ledger.account("hostile", admin, "bank", "EUR", null);
    f.ledger.account("hostile", admin, "alice", "EUR", 0L);
  }

  @AfterAll
  void stop() throws Exception {
    f.close();
  }

  private static String transfer(String reference) {
    return "{\"from\":\"bank\",\"to\":\"alice\",\"amount\":100,\"currency\":\"EUR\",\"reference\":\""
        + reference
        + "\"}";
  }

  private void refused(ApiClient.Response response, String member) {
    assertEquals(400, response.status(), response.body());
    assertEquals("application/problem+json", response.contentType());
    assertEquals("invalid_request", response.code(), response.body());
    assertEquals(member, response.json().get("member").asText(), response.body());
  }

  @Test
  void aReferenceWithANulIsRefusedStoredNowhereAndItsKeyStaysFree() {
    for (String bad : HOSTILE) {
      String key = "nul-" + bad.substring(2);
      refused(
          f.api.send(
              post(T + "/transfers")
                  .key(admin)
                  .header("Idempotency-Key", key)
                  .body(transfer("a" + bad + "b"))),
          "reference");
      assertEquals(404, f.api.send(get(T + "/transfers/" + key).key(admin)).status());
      var good =
          f.api.send(
              post(T + "/transfers")
                  .key(admin)
                  .header("Idempotency-Key", key)
                  .body(transfer("ab")));
      assertEquals(201, good.status(), good.body());
    }
  }

  @Test
  void noTenantAccountOrKeyIsMadeFromHostileText() {
    for (String bad : HOSTILE) {
      String id = "h" + bad.substring(2);
      refused(
          f.api.send(
              post("/v1/tenants")
                  .key(f.platformKey)
                  .body("{\"id\":\"" + id + "\",\"name\":\"x" + bad + "\"}")),
          "name");
      assertEquals(404, f.api.send(get("/v1/tenants/" + id).key(f.platformKey)).status());
      refused(
          f.api.send(
              post(T + "/accounts")
                  .key(admin)
                  .body(
                      "{\"id\":\""
                          + id
                          + "\",\"currency\":\"EUR\",\"note\":{\"x\":\""
                          + bad
                          + "\"}}")),
          "note.x");
      assertEquals(404, f.api.send(get(T + "/accounts/" + id).key(admin)).status());
      int keys = f.api.send(get(T + "/api-keys").key(admin)).json().get("items").size();
      refused(
          f.api.send(
              post(T + "/api-keys")
                  .key(admin)
                  .body("{\"name\":\"ci" + bad + "\",\"roles\":[\"viewer\"]}")),
          "name");
      assertEquals(keys, f.api.send(get(T + "/api-keys").key(admin)).json().get("items").size());
    }
  }

  @Test
  void aHostileBatchLineIsRefusedAloneAndTheOthersRun() throws Exception {
    String ndjson =
        "{\"idempotencyKey\":\"batch-bad\",\"from\":\"bank\",\"to\":\"alice\",\"amount\":1,"
            + "\"currency\":\"EUR\",\"reference\":\"x\\u0000\"}\n"
            + "{\"idempotencyKey\":\"batch-good\",\"from\":\"bank\",\"to\":\"alice\",\"amount\":1,"
            + "\"currency\":\"EUR\"}\n";
    var response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(f.node.baseUrl() + T + "/transfers:batch"))
                    .header("Authorization", "Bearer " + admin)
                    .header("Content-Type", "application/x-ndjson")
                    .POST(HttpRequest.BodyPublishers.ofString(ndjson))
                    .build(),
                HttpResponse.BodyHandlers.ofLines())
            .body()
            .toList();
    JsonNode bad = ApiClient.JSON.readTree(response.get(0));
    assertEquals(400, bad.get("status").asInt(), response.get(0));
    assertEquals("reference", bad.get("body").get("member").asText());
    assertEquals(201, ApiClient.JSON.readTree(response.get(1)).get("status").asInt());
    assertEquals(404, f.api.send(get(T + "/transfers/batch-bad").key(admin)).status());
  }

  @Test
  void textInAnyScriptIsStoredAndProjectedIntact() throws Exception {
    String reference = "Zürich 東京 мир 😀";
    String json = transfer(reference);
    var created =
        f.api.send(
            post(T + "/transfers").key(admin).header("Idempotency-Key", "intl-1").body(json));
    assertEquals(201, created.status(), created.body());
    assertEquals(reference, created.json().get("reference").asText());
    Eventually.await(
        Duration.ofSeconds(20),
        () -> {
          var page = f.api.send(get(T + "/transfers?limit=200").key(admin)).json().get("items");
          boolean found = false;
          for (JsonNode t : page) {
            found |=
                t.get("id").asText().equals("intl-1")
                    && t.get("reference").asText().equals(reference);
          }
          assertTrue(found, page.toString());
        });
  }

  @Test
  void theNodeAnswersRefusalsBeforeRoutingAsProblems() throws Exception {
    int port = URI.create(f.node.baseUrl()).getPort();
    for (String target : List.of("/v1/tenants?pad=" + "a".repeat(3000), "/v1/tenants?cursor=%zz")) {
      String answer = raw(port, "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      assertTrue(answer.toLowerCase().contains("content-type: application/problem+json"), answer);
      assertTrue(answer.contains("\"requestId\":\"req_"), answer);
      assertTrue(
          answer.contains("\"code\":\"uri_too_long\"")
              || answer.contains("\"code\":\"invalid_request_target\""),
          answer);
      assertFalse(answer.contains("127.0.0.1"), answer);
      assertFalse(answer.contains("%zz") || answer.contains("aaaaaaaa"), answer);
    }
  }

  private static String raw(int port, String request) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      var out = new ByteArrayOutputStream();
      socket.getInputStream().transferTo(out); // a refusal closes the connection
      return out.toString(StandardCharsets.UTF_8);
    }
  }
}
