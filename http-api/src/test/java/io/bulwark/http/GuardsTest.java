package io.bulwark.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

  private static final String ONE_SLOT =
      "bulwark.admission { limit = fixed, initial-limit = 1, min-limit = 1, max-limit = 1 }";

  @Test
  void aNodeAtCapacityRefusesAListAtOnceAndRecovers() throws Exception {
    try (var server = new RouteServer(ONE_SLOT)) {
      var list =
          server
              .request("/v1/tenants/acme/accounts")
              .header("Authorization", "Bearer " + server.viewerKey)
              .build();
      try (var slow = holdTheOnlySlot(server)) {
        long start = System.nanoTime();
        var refused = server.send(list);
        long millis = (System.nanoTime() - start) / 1_000_000;
        problem(refused, 503, "overloaded");
        assertEquals("1", refused.headers().firstValue("Retry-After").orElseThrow());
        assertEquals(0, server.protection.admission().waiting(), "lists never wait");
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

  @Test
  void aStrongReadAtCapacityWaitsForTheSlotInsteadOfBeingRefused() throws Exception {
    try (var server = new RouteServer(ONE_SLOT + "\nbulwark.admission.queue-wait = 10s")) {
      var read =
          server
              .request("/v1/tenants/other/accounts/a")
              .header("Authorization", "Bearer " + server.operatorKey)
              .build();
      java.util.concurrent.CompletableFuture<HttpResponse<String>> answer;
      try (var slow = holdTheOnlySlot(server)) {
        answer = server.sendAsync(read);
        long queuedBy = System.nanoTime() + 5_000_000_000L;
        while (server.protection.admission().waiting() == 0 && System.nanoTime() < queuedBy) {
          Thread.onSpinWait();
        }
        assertEquals(1, server.protection.admission().waiting(), "the read waits for the slot");
        assertFalse(answer.isDone());
      }
      // Dropping the upload frees the slot, and the read that waited for it is served (another
      // tenant's account: 404, the answer that needs no entity in a route test).
      var served = answer.get(10, java.util.concurrent.TimeUnit.SECONDS);
      problem(served, 404, "not_found");
      assertEquals(0, server.protection.admission().waiting());
    }
  }

  /** A transfer whose body trickles in holds the node's one slot while it is read. */
  private static Socket holdTheOnlySlot(RouteServer server) throws Exception {
    var slow = new Socket(InetAddress.getLoopbackAddress(), server.port());
    OutputStream out = slow.getOutputStream();
    out.write(
        ("POST /v1/tenants/acme/transfers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                + server.operatorKey
                + "\r\nIdempotency-Key: slow\r\nContent-Type: application/json\r\n"
                + "Content-Length: 100\r\n\r\n{")
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    long admittedBy = System.nanoTime() + 5_000_000_000L;
    while (server.protection.admission().inFlight() == 0 && System.nanoTime() < admittedBy) {
      Thread.onSpinWait();
    }
    assertEquals(1, server.protection.admission().inFlight());
    return slow;
  }
}
