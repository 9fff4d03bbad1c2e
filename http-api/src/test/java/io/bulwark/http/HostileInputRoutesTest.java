package io.bulwark.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A NUL, a lone surrogate and a C1 control in each string field of each write endpoint, and in path
 * ids, query values and headers: 400 naming the member, before any entity is asked (there is none
 * here: a request that got through would time out instead) and with nothing audited. The webhook
 * endpoints, over real tables, are {@link HostileWebhookRoutesTest}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileInputRoutesTest {
  /** As JSON escapes: what a client sends, and what a refused member name is shown as. */
  static final List<String> HOSTILE = List.of("\\u0000", "\\ud800", "\\u0085");

  private static final String KEY_ID = "k" + "0".repeat(20);
  private static final String TRANSFER =
      "{\"from\":\"a\",\"to\":\"b\",\"amount\":5,\"currency\":\"EUR\",\"reference\":\"rent\"}";

  private RouteServer server;

  @BeforeAll
  void start() throws Exception {
    server = new RouteServer("");
  }

  @AfterAll
  void stop() {
    server.close();
  }

  /** One write: its method, path, who sends it, the body with {@code @} for the bad string. */
  record Write(String method, String path, String who, String body, String member) {}

  static List<Write> writes() {
    String keys = "/v1/tenants/acme/api-keys";
    return List.of(
        new Write("POST", "/v1/tenants", "platform", "{\"id\":\"@\",\"name\":\"Acme\"}", "id"),
        new Write("POST", "/v1/tenants", "platform", "{\"id\":\"t1\",\"name\":\"@\"}", "name"),
        new Write(
            "POST",
            "/v1/tenants",
            "platform",
            "{\"id\":\"t1\",\"name\":\"Acme\",\"note\":\"@\"}",
            "note"),
        new Write(
            "POST",
            "/v1/tenants",
            "platform",
            "{\"id\":\"t1\",\"name\":\"Acme\",\"meta\":{\"tags\":[\"ok\",\"@\"]}}",
            "meta.tags[1]"),
        new Write("POST", keys, "admin", "{\"name\":\"@\",\"roles\":[\"viewer\"]}", "name"),
        new Write("POST", keys, "admin", "{\"name\":\"ci\",\"roles\":[\"@\"]}", "roles[0]"),
        new Write(
            "POST",
            keys,
            "admin",
            "{\"name\":\"ci\",\"roles\":[\"viewer\"],\"expiresAt\":\"@\"}",
            "expiresAt"),
        new Write(
            "POST", keys + "/" + KEY_ID + "/rotate", "admin", "{\"expiresAt\":\"@\"}", "expiresAt"),
        new Write(
            "POST",
            keys + "/" + KEY_ID + "/rotate",
            "admin",
            "{\"overlapSeconds\":\"@\"}",
            "overlapSeconds"),
        new Write("PATCH", keys + "/" + KEY_ID, "admin", "{\"roles\":[\"@\"]}", "roles[0]"),
        new Write(
            "POST",
            "/v1/tenants/acme/accounts",
            "operator",
            "{\"id\":\"@\",\"currency\":\"EUR\"}",
            "id"),
        new Write(
            "POST",
            "/v1/tenants/acme/accounts",
            "operator",
            "{\"id\":\"a\",\"currency\":\"@\"}",
            "currency"),
        new Write(
            "POST",
            "/v1/tenants/acme/accounts",
            "operator",
            "{\"id\":\"a\",\"currency\":\"EUR\",\"overdraftLimit\":\"@\"}",
            "overdraftLimit"),
        transfer("from"),
        transfer("to"),
        transfer("currency"),
        transfer("reference"),
        new Write(
            "POST",
            "/v1/tenants/acme/transfers",
            "operator",
            TRANSFER.replace("\"amount\":5", "\"amount\":\"@\""),
            "amount"),
        new Write(
            "PUT",
            "/v1/tenants/acme/limits",
            "platform",
            "{\"writesPerSecond\":\"@\",\"writeBurst\":1,\"readsPerSecond\":1,\"readBurst\":1}",
            "writesPerSecond"),
        new Write(
            "PUT",
            "/v1/tenants/acme/limits",
            "platform",
            "{\"writesPerSecond\":1,\"writeBurst\":1,\"readsPerSecond\":1,\"readBurst\":1,"
                + "\"note\":\"@\"}",
            "note"));
  }

  private static Write transfer(String member) {
    String body = TRANSFER.replaceFirst("(\"" + member + "\":)\"[^\"]*\"", "$1\"@\"");
    return new Write("POST", "/v1/tenants/acme/transfers", "operator", body, member);
  }

  Stream<Arguments> hostileWrites() {
    List<Arguments> cases = new ArrayList<>();
    for (Write write : writes()) {
      for (String bad : HOSTILE) {
        cases.add(
            Arguments.of(
                write.method + " " + write.path + " " + write.member + " " + bad, write, bad));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostileWrites")
  void aHostileStringInAnyMemberIsRefusedNamingIt(String why, Write write, String bad)
      throws Exception {
    int audited = server.audited.size();
    var response =
        send(write.method, write.path, key(write.who), write.body.replace("@", "x" + bad));
    JsonNode problem = problem(response, 400, "invalid_request");
    assertEquals(write.member, problem.get("member").asText(), response.body());
    assertEquals(audited, server.audited.size(), "nothing done, so nothing audited");
  }

  @Test
  void aHostileMemberNameIsRefusedShownEscaped() throws Exception {
    for (String bad : HOSTILE) {
      var response =
          send(
              "POST",
              "/v1/tenants/acme/transfers",
              server.operatorKey,
              TRANSFER.replace("{", "{\"n" + bad + "\":1,"));
      JsonNode problem = problem(response, 400, "invalid_request");
      assertEquals("n" + bad, problem.get("member").asText());
      assertFalse(response.body().contains("\u0000"), response.body());
    }
  }

  @Test
  void aBodyThatIsNotUtf8IsRefusedNotRepaired() throws Exception {
    byte[] body = TRANSFER.replace("rent", "rent\u00ff").getBytes(StandardCharsets.ISO_8859_1);
    var response =
        server.send(
            server
                .request("/v1/tenants/acme/transfers")
                .header("Authorization", "Bearer " + server.operatorKey)
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", "utf8-1")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build());
    assertTrue(problem(response, 400, "invalid_request").get("detail").asText().contains("UTF-8"));
  }

  @Test
  void eachBadLineOfABatchGetsItsOwnProblemAndNothingElseHappens() throws Exception {
    int audited = server.audited.size();
    var upload = new ByteArrayOutputStream();
    List<String> members = new ArrayList<>();
    for (String bad : HOSTILE) {
      for (String member : List.of("from", "to", "currency", "reference", "idempotencyKey")) {
        String line =
            TRANSFER
                .replace("{", "{\"idempotencyKey\":\"k-1\",")
                .replaceFirst(
                    "(\"" + member + "\":)\"[^\"]*\"", "$1\"x" + bad.replace("\\", "\\\\") + "\"");
        upload.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        members.add(member);
      }
    }
    upload.write(TRANSFER.replace("rent", "r\u00ff").getBytes(StandardCharsets.ISO_8859_1));
    upload.write('\n');
    members.add(null);
    var response =
        server.send(
            server
                .request("/v1/tenants/acme/transfers:batch")
                .header("Authorization", "Bearer " + server.operatorKey)
                .header("Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofByteArray(upload.toByteArray()))
                .build());
    assertEquals(200, response.statusCode(), response.body());
    String[] lines = response.body().split("\n");
    assertEquals(members.size(), lines.length, response.body());
    for (int i = 0; i < lines.length; i++) {
      JsonNode result = Json.MAPPER.readTree(lines[i]);
      assertEquals(i + 1, result.get("line").asInt());
      assertEquals(400, result.get("status").asInt(), lines[i]);
      assertEquals("invalid_request", result.get("body").get("code").asText(), lines[i]);
      String member = members.get(i);
      if (member != null) {
        assertEquals(member, result.get("body").get("member").asText(), lines[i]);
      } else {
        assertTrue(result.get("body").get("detail").asText().contains("UTF-8"), lines[i]);
      }
    }
    assertEquals(audited, server.audited.size(), "nothing done, so nothing audited");
  }

  Stream<Arguments> hostileUris() {
    String p = "/v1/tenants/acme";
    return Stream.of(
        Arguments.of(p + "/transfers?status=%00", "status", "invalid_request"),
        Arguments.of(p + "/transfers?status=%ED%A0%80", "status", "invalid_request"),
        Arguments.of(p + "/transfers?limit=%C2%85", "limit", "invalid_request"),
        Arguments.of(p + "/accounts?cursor=%00", "cursor", "invalid_cursor"),
        Arguments.of(p + "/accounts?cursor=%C2%9F", "cursor", "invalid_cursor"),
        Arguments.of(p + "/audit-events?action=%E2%80%AE", "action", "invalid_request"),
        Arguments.of(p + "/accounts/a%00/entries", "accountId", "invalid_id"),
        Arguments.of(p + "/accounts/a%ED%A0%80", "accountId", "invalid_id"),
        Arguments.of(p + "/transfers/t%C2%85", "transferId", "invalid_id"),
        Arguments.of("/v1/tenants/ac%00me/accounts", "tenantId", "invalid_id"),
        Arguments.of("/v1/tenants/ACME", "tenantId", "invalid_id"),
        Arguments.of(p + "/nowhere/%01", "path", "invalid_request"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostileUris")
  void aHostilePathIdOrQueryValueIsRefusedNamingIt(String uri, String member, String code)
      throws Exception {
    var response =
        send("GET", uri, uri.contains("ACME") ? RouteServer.PLATFORM_KEY : server.adminKey, null);
    assertEquals(member, problem(response, 400, code).get("member").asText(), response.body());
  }

  @Test
  void anIdempotencyKeyWithAControlIsRefusedNamingIt() throws Exception {
    for (byte[] bad : new byte[][] {{0x7F}, {(byte) 0xC2, (byte) 0x85}}) {
      var answer = raw("Idempotency-Key", bad);
      assertEquals(400, answer.status(), answer.body());
      JsonNode body = Json.MAPPER.readTree(answer.body());
      assertEquals("idempotency_key_invalid", body.get("code").asText());
      assertEquals("Idempotency-Key", body.get("member").asText());
    }
    // a raw control byte does not get past Pekko's parser, which names no header
    var nul = raw("Idempotency-Key", new byte[] {0x00});
    assertEquals(400, nul.status());
    assertEquals("invalid_http_message", Json.MAPPER.readTree(nul.body()).get("code").asText());
  }

  @Test
  void aRequestIdOrTraceparentThatBreaksThePolicyIsReplacedNotEchoed() throws Exception {
    var id = raw("X-Request-Id", new byte[] {0x7F});
    assertTrue(id.header("X-Request-Id").matches("req_[0-9a-f]{24}"), id.header("X-Request-Id"));
    var trace = raw("traceparent", new byte[] {(byte) 0xC2, (byte) 0x85});
    String traceId = Json.MAPPER.readTree(trace.body()).get("traceId").asText();
    assertTrue(traceId.matches("[0-9a-f]{32}"), traceId);
    assertNotEquals("4bf92f3577b34da6a3ce929d0e0e4736", traceId);
  }

  /** A transfer with {@code header} holding {@code bad} between valid characters. */
  private RawHttp.Answer raw(String header, byte[] bad) throws Exception {
    var out = new ByteArrayOutputStream();
    String value =
        header.equals("traceparent")
            ? "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0"
            : "k-";
    out.write(
        ("POST /v1/tenants/acme/transfers HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                + server.operatorKey
                + "\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
                + (header.equals("Idempotency-Key") ? "" : "Idempotency-Key: k-2\r\n")
                + header
                + ": "
                + value)
            .getBytes(StandardCharsets.ISO_8859_1));
    out.write(bad);
    out.write("1\r\n\r\n{}".getBytes(StandardCharsets.ISO_8859_1));
    return RawHttp.send(server.port(), out.toByteArray());
  }

  private String key(String who) {
    return switch (who) {
      case "platform" -> RouteServer.PLATFORM_KEY;
      case "admin" -> server.adminKey;
      default -> server.operatorKey;
    };
  }

  private HttpResponse<String> send(String method, String path, String key, String body)
      throws Exception {
    return server.send(
        server.json(method, path, key, body).header("Idempotency-Key", "hostile-1").build());
  }

  static JsonNode problem(HttpResponse<String> response, int status, String code) throws Exception {
    assertEquals(status, response.statusCode(), response.body());
    assertEquals(
        "application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
    JsonNode body = Json.MAPPER.readTree(response.body());
    assertEquals(code, body.get("code").asText(), response.body());
    return body;
  }
}
