package io.bulwark.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Traffic protection as a client meets it over HTTP: 429, 503 and their headers. */
class GuardsTest {

  private static JsonNode problem(HttpResponse<String> response, int status, String code)
      throws Exception {
    assertEquals(status, response.statusCode(), response.body());
    JsonNode body = Json.MAPPER.readTree(response.body());
    assertEquals(code, body.get("code").asText(), response.body());
    return body;
  }

  @Test
  void everyResponseSaysWhichBucketsCountedIt() throws Exception {
    try (var server = new RouteServer("")) {
      var response =
          server.send(
              server
                  .request("/v1/tenants/other/accounts/a")
                  .header("Authorization", "Bearer " + server.operatorKey)
                  .build());
      problem(response, 404, "not_found");
      assertEquals(
          "\"ip\";q=2000;w=2, \"tenant-read\";q=1000;w=2",
          response.headers().firstValue("RateLimit-Policy").orElseThrow());
      assertTrue(
          response.headers().firstValue("RateLimit").orElseThrow().startsWith("\"ip\";r=1999;"));
    }
  }

  @Test
  void aSpentAddressGets429WithRetryAfterBeforeItsKeyIsChecked() throws Exception {
    try (var server = new RouteServer("bulwark.limits.ip { requests-per-second = 1, burst = 2 }")) {
      var request = server.request("/v1/tenants/acme").header("Authorization", "Bearer nope");
      problem(server.send(request.build()), 401, "unauthenticated");
      problem(server.send(request.build()), 401, "unauthenticated");
      var limited = server.send(request.build());
      problem(limited, 429, "rate_limited");
      assertEquals("1", limited.headers().firstValue("Retry-After").orElseThrow());
      assertTrue(
          limited.headers().firstValue("RateLimit").orElseThrow().startsWith("\"ip\";r=0;t="),
          limited.headers().toString());
    }
  }

  @Test
  void workPastItsDeadlineIsNotStarted() throws Exception {
    try (var server = new RouteServer("bulwark.http.request-deadline = 0ms")) {
      var response =
          server.send(
              server
                  .request("/v1/tenants/acme/accounts/a")
                  .header("Authorization", "Bearer " + server.operatorKey)
                  .build());
      problem(response, 503, "deadline_exceeded");
      assertEquals("1", response.headers().firstValue("Retry-After").orElseThrow());
    }
  }

  @Test
  void aNodeAtCapacityRefusesAtOnceAndRecovers() throws Exception {
    try (var server =
        new RouteServer(
            "bulwark.admission { limit = fixed, initial-limit = 1, min-limit = 1, max-limit = 1 }")) {
      var list =
          server
              .request("/v1/tenants/acme/accounts")
              .header("Authorization", "Bearer " + server.viewerKey)
              .build();
      // A transfer whose body trickles in holds the node's one slot while it is read.
      try (var slow = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
        OutputStream out = slow.getOutputStream();
        out.write(
            ("POST /v1/tenants/acme/transfers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                    + server.operatorKey
                    + "\r\nIdempotency-Key: slow\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 100\r\n\r\n{")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        // Wait until the upload is admitted and holds the slot while its body trickles in.
        long admittedBy = System.nanoTime() + 5_000_000_000L;
        while (server.protection.admission().inFlight() == 0 && System.nanoTime() < admittedBy) {
          Thread.onSpinWait();
        }
        assertEquals(1, server.protection.admission().inFlight());

        long start = System.nanoTime();
        var refused = server.send(list);
        long millis = (System.nanoTime() - start) / 1_000_000;
        problem(refused, 503, "overloaded");
        assertEquals("1", refused.headers().firstValue("Retry-After").orElseThrow());
        System.out.println("GuardsTest: overloaded answered in " + millis + " ms");
      }
      // The dropped connection fails the body read, which frees the slot.
      int status = 503;
      for (int i = 0; i < 50 && status == 503; i++) {
        Thread.sleep(100);
        status = server.send(list).statusCode();
      }
      assertNotEquals(503, status);
    }
  }
}
