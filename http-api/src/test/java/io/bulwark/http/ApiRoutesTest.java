package io.bulwark.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The route tree's own rules, on a bound server with a real client: everything decided before an
 * entity or the database is asked (authentication, roles, content type, size, validation, 404 and
 * 405, request ids). Keys come from a fake tenant lookup; no entity is ever reached.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiRoutesTest {
  private static final String PLATFORM_KEY = RouteServer.PLATFORM_KEY;
  private RouteServer server;
  private String operatorKey;
  private String viewerKey;

  @BeforeAll
  void start() throws Exception {
    server = new RouteServer("");
    operatorKey = server.operatorKey;
    viewerKey = server.viewerKey;
  }

  @AfterAll
  void stop() {
    server.close();
  }

  private HttpResponse<String> send(
      String method, String path, String key, String type, String body) throws Exception {
    var builder = server.request(path);
    if (key != null) {
      builder.header("Authorization", "Bearer " + key);
    }
    if (type != null) {
      builder.header("Content-Type", type);
    }
    builder.header("Idempotency-Key", "k-1");
    builder.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    return server.send(builder.build());
  }

  private static JsonNode problem(HttpResponse<String> response, int status, String code)
      throws Exception {
    assertEquals(status, response.statusCode(), response.body());
    assertEquals(
        "application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
    JsonNode body = Json.MAPPER.readTree(response.body());
    assertEquals(code, body.get("code").asText());
    assertEquals(
        response.headers().firstValue("X-Request-Id").orElseThrow(),
        body.get("requestId").asText());
    return body;
  }

  @Test
  void withoutAKeyEveryApiPathIsUnauthenticated() throws Exception {
    var response = send("GET", "/v1/tenants/acme/accounts", null, null, null);
    problem(response, 401, "unauthenticated");
    assertEquals("Bearer", response.headers().firstValue("WWW-Authenticate").orElseThrow());
  }

  @Test
  void aKeyOfAnotherTenantGetsNotFound() throws Exception {
    problem(send("GET", "/v1/tenants/other/accounts/a", operatorKey, null, null), 404, "not_found");
  }

  @Test
  void rolesAreEnforcedBeforeTheBodyIsRead() throws Exception {
    problem(
        send("POST", "/v1/tenants/acme/transfers", viewerKey, "text/plain", "x"), 403, "forbidden");
    problem(send("GET", "/v1/tenants/acme/accounts/a", PLATFORM_KEY, null, null), 403, "forbidden");
  }

  @Test
  void bodiesMustBeJsonAndSmall() throws Exception {
    String path = "/v1/tenants/acme/transfers";
    problem(send("POST", path, operatorKey, "text/plain", "{}"), 415, "unsupported_media_type");
    problem(
        send("POST", path, operatorKey, "application/json", "x".repeat(65 * 1024)),
        413,
        "payload_too_large");
    var invalid =
        problem(
            send("POST", path, operatorKey, "application/json", "{\"to\":\"b\"}"),
            400,
            "invalid_request");
    assertEquals("from", invalid.get("member").asText());
  }

  @Test
  void unknownPathsAndMethodsAreProblems() throws Exception {
    problem(send("GET", "/nowhere", null, null, null), 404, "not_found");
    var wrongMethod =
        send("PUT", "/v1/tenants/acme/accounts", operatorKey, "application/json", "{}");
    problem(wrongMethod, 405, "method_not_allowed");
    assertEquals("GET, POST", wrongMethod.headers().firstValue("Allow").orElseThrow());
  }

  @Test
  void theRequestIdOfAFailedRequestIsLogged() throws Exception {
    var logger =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.bulwark.http.access");
    var appender =
        new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
    appender.start();
    logger.addAppender(appender);
    try {
      var response = send("GET", "/v1/tenants/other/accounts/a", operatorKey, null, null);
      String requestId = response.headers().firstValue("X-Request-Id").orElseThrow();
      assertTrue(
          appender.list.stream().anyMatch(e -> e.getFormattedMessage().contains(requestId)),
          "the access log names " + requestId);
      assertTrue(
          appender.list.stream().noneMatch(e -> e.getFormattedMessage().contains(operatorKey)),
          "never the API key");
      var event =
          appender.list.stream()
              .filter(e -> e.getFormattedMessage().contains(requestId))
              .findFirst()
              .orElseThrow();
      var mdc = event.getMDCPropertyMap();
      assertEquals(requestId, mdc.get("requestId"));
      assertEquals("acme", mdc.get("tenantId"), "the caller's tenant, not the path's");
      assertEquals(32, mdc.get("traceId").length(), mdc.toString());
      assertTrue(mdc.containsKey("keyId"), mdc.toString());
    } finally {
      logger.detachAppender(appender);
    }
  }

  @Test
  void aValidRequestIdIsEchoed() throws Exception {
    var response =
        server.send(server.request("/nowhere").header("X-Request-Id", "trace-42").build());
    assertEquals("trace-42", response.headers().firstValue("X-Request-Id").orElseThrow());
    assertTrue(response.body().contains("\"requestId\":\"trace-42\""));
  }

  @Test
  void problemBodiesCarryTheW3cTraceIdOrANewOne() throws Exception {
    String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    var traced =
        server.send(
            server
                .request("/nowhere")
                .header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01")
                .build());
    assertEquals(traceId, problem(traced, 404, "not_found").get("traceId").asText());

    var malformed =
        server.send(server.request("/nowhere").header("traceparent", "00-zz-00-01").build());
    String fresh = problem(malformed, 404, "not_found").get("traceId").asText();
    assertTrue(fresh.matches("[0-9a-f]{32}") && !fresh.equals(traceId), fresh);
  }
}
