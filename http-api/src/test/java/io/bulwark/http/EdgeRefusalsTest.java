package io.bulwark.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What Pekko refuses before any route runs, over a raw socket: problem+json with a stable code, a
 * fresh request id and the edge's headers, and never the client's address or port, nor the input.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EdgeRefusalsTest {
  private static final String HOST = "Host: 127.0.0.1\r\n";

  private RouteServer server;

  @BeforeAll
  void start() throws Exception {
    server = new RouteServer("");
  }

  @AfterAll
  void stop() {
    server.close();
  }

  Stream<Arguments> malformed() {
    String key = "Authorization: Bearer " + RouteServer.PLATFORM_KEY + "\r\n";
    return Stream.of(
        Arguments.of(
            "a 3000-character URI",
            "GET /v1/tenants?pad=" + "a".repeat(3000) + " HTTP/1.1\r\n" + HOST + "\r\n",
            414,
            "uri_too_long"),
        Arguments.of(
            "a raw % in the query",
            "GET /v1/tenants/acme/accounts?cursor=%zz HTTP/1.1\r\n" + HOST + "\r\n",
            400,
            "invalid_request_target"),
        Arguments.of(
            "a [ in the path",
            "GET /v1/tenants/[acme] HTTP/1.1\r\n" + HOST + "\r\n",
            400,
            "invalid_request_target"),
        Arguments.of(
            "a \\ in the path",
            "GET /v1/tenants/ac\\me HTTP/1.1\r\n" + HOST + "\r\n",
            400,
            "invalid_request_target"),
        Arguments.of(
            "a 20 KiB header",
            "GET /v1/tenants HTTP/1.1\r\n" + HOST + "X-Pad: " + "p".repeat(20_000) + "\r\n\r\n",
            431,
            "headers_too_large"),
        Arguments.of(
            "a chunk size that is not hex",
            "POST /v1/tenants HTTP/1.1\r\n"
                + HOST
                + key
                + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "zz\r\n{}\r\n0\r\n\r\n",
            400,
            "invalid_http_message"),
        Arguments.of(
            "HTTP/3.0 in the request line",
            "GET /v1/tenants HTTP/3.0\r\n" + HOST + "\r\n",
            505,
            "http_version_not_supported"),
        Arguments.of(
            "no Host header", "GET /v1/tenants HTTP/1.1\r\n\r\n", 400, "invalid_http_message"),
        Arguments.of(
            "a NUL in a header value",
            "GET /v1/tenants HTTP/1.1\r\n" + HOST + "Idempotency-Key: a\u0000b\r\n\r\n",
            400,
            "invalid_http_message"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  void isAProblemThatQuotesNothingOfTheRequest(String why, String request, int status, String code)
      throws Exception {
    var answer = RawHttp.send(server.port(), request);
    assertEquals(status, answer.status(), why + ": " + answer.body());
    assertEquals("application/problem+json", answer.header("Content-Type"), why);
    JsonNode body = Json.MAPPER.readTree(answer.body());
    assertEquals(code, body.get("code").asText(), answer.body());
    assertEquals(status, body.get("status").asInt());
    String requestId = body.get("requestId").asText();
    assertTrue(requestId.matches("req_[0-9a-f]{24}"), requestId);
    assertEquals(requestId, answer.header("X-Request-Id"));
    assertEquals("nosniff", answer.header("X-Content-Type-Options"));
    assertEquals("no-store", answer.header("Cache-Control"));
    String text = answer.body().replace(requestId, ""); // random hex could hold the port's digits
    assertFalse(text.contains("127.0.0.1"), text);
    assertFalse(text.contains(Integer.toString(answer.clientPort())), text);
    for (String echoed : new String[] {"aaaaaaaa", "%zz", "[acme]", "ac\\\\me", "ppppp", "zz"}) {
      assertFalse(text.contains(echoed), "echoes " + echoed + ": " + text);
    }
  }

  @Test
  void aHostileUriDecodedAtTheEdgeIsAProblemNamingItsPart() throws Exception {
    String request =
        "GET /v1/tenants/acme/accounts?cursor=%C2%85 HTTP/1.1\r\n"
            + HOST
            + "Authorization: Bearer "
            + server.operatorKey
            + "\r\n\r\n";
    var answer = RawHttp.send(server.port(), request);
    assertEquals(400, answer.status(), answer.body());
    JsonNode body = Json.MAPPER.readTree(answer.body());
    assertEquals("invalid_cursor", body.get("code").asText());
    assertEquals("cursor", body.get("member").asText());
  }

  @Test
  void aRequestTheRoutesDoNotAnswerInTimeIsAProblemToo() throws Exception {
    // the webhook tables' connection takes 3 s to come: the 300 ms request timeout runs out first
    var blocking = java.util.concurrent.Executors.newSingleThreadExecutor();
    var webhooks =
        new io.bulwark.webhooks.WebhookEndpoints(
            slowDatabase(),
            new io.bulwark.webhooks.SecretBox(
                io.bulwark.testing.TestSecrets.remember("edge-refusals-key-" + "e".repeat(32))),
            new io.bulwark.webhooks.TargetPolicy(
                io.bulwark.webhooks.AllowedTargets.none(),
                host -> {
                  throw new java.net.UnknownHostException(host);
                }),
            blocking,
            java.time.Clock.systemUTC());
    try (var slow = new RouteServer("pekko.http.server.request-timeout = 300ms", null, webhooks)) {
      var response =
          slow.send(
              slow.request("/v1/tenants/acme/webhooks")
                  .header("Authorization", "Bearer " + slow.adminKey)
                  .header("X-Request-Id", "slow-1")
                  .build());
      assertEquals(503, response.statusCode(), response.body());
      assertEquals(
          "application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
      JsonNode body = Json.MAPPER.readTree(response.body());
      assertEquals("request_timeout", body.get("code").asText());
      assertEquals("slow-1", body.get("requestId").asText());
      assertEquals("slow-1", response.headers().firstValue("X-Request-Id").orElseThrow());
      assertEquals("1", response.headers().firstValue("Retry-After").orElseThrow());
      assertEquals(
          "nosniff", response.headers().firstValue("X-Content-Type-Options").orElseThrow());
    } finally {
      blocking.shutdownNow();
    }
  }

  private static javax.sql.DataSource slowDatabase() {
    return (javax.sql.DataSource)
        java.lang.reflect.Proxy.newProxyInstance(
            EdgeRefusalsTest.class.getClassLoader(),
            new Class<?>[] {javax.sql.DataSource.class},
            (proxy, method, args) -> {
              Thread.sleep(3000);
              throw new java.sql.SQLException("no database here");
            });
  }
}
