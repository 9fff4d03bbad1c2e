package io.bulwark.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.audit.AuditAction;
import io.bulwark.audit.AuditEvent;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What the edge hands to the audit trail: failed authentications and refused callers, with the
 * request's ids, address and user agent, in the chain they belong to. Who may read the log.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditRoutesTest {
  private RouteServer server;

  @BeforeAll
  void start() throws Exception {
    server = new RouteServer("");
  }

  @AfterAll
  void stop() {
    server.close();
  }

  @BeforeEach
  void forget() {
    server.audited.clear();
  }

  private int get(String path, String key) throws Exception {
    var builder = server.request(path).header("User-Agent", "audit-test/1.0");
    if (key != null) {
      builder.header("Authorization", "Bearer " + key);
    }
    return server.send(builder.GET().build()).statusCode();
  }

  private AuditEvent onlyEvent() throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (server.audited.isEmpty() && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertEquals(1, server.audited.size(), server.audited.toString());
    return server.audited.get(0);
  }

  @Test
  void aTokenOfNoKnownShapeIsAFailureOfThePlatformChain() throws Exception {
    assertEquals(401, get("/v1/tenants/acme/accounts", "not-a-key"));
    var event = onlyEvent();
    assertEquals(AuditEvent.PLATFORM_CHAIN, event.tenantId());
    assertEquals(AuditAction.AUTHENTICATION_FAILED, event.action());
    assertEquals(AuditEvent.Outcome.FAILURE, event.outcome());
    assertEquals("malformed", event.details().get("reason"));
    assertNull(event.actor());
    assertEquals("127.0.0.1", event.clientIp());
    assertEquals("audit-test/1.0", event.userAgent());
    assertNotNull(event.requestId());
    assertEquals(32, event.traceId().length());
  }

  @Test
  void aWrongSecretForAKnownKeyGoesToThatTenantsChain() throws Exception {
    String forged = server.viewerKey.substring(0, server.viewerKey.lastIndexOf('.') + 1) + "AAAA";
    assertEquals(401, get("/v1/tenants/acme/accounts", forged));
    var event = onlyEvent();
    assertEquals("acme", event.tenantId());
    assertEquals("wrong_secret", event.details().get("reason"));
    assertTrue(event.target().startsWith("api-keys/k"), event.target());
    assertTrue(!event.toString().contains("AAAA"), "the presented secret is never recorded");
  }

  @Test
  void noAuthorizationHeaderIsNotAnAttempt() throws Exception {
    assertEquals(401, get("/v1/tenants/acme/accounts", null));
    Thread.sleep(200); // nothing is expected: give a stray event the time to show up
    assertEquals(List.of(), server.audited);
  }

  @Test
  void aViewerRefusedIsRecordedInItsOwnChain() throws Exception {
    var response =
        server.send(
            server
                .request("/v1/tenants/acme/accounts")
                .header("Authorization", "Bearer " + server.viewerKey)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"a\",\"currency\":\"EUR\"}"))
                .build());
    assertEquals(403, response.statusCode());
    var event = onlyEvent();
    assertEquals("acme", event.tenantId());
    assertEquals(AuditAction.ACCESS_DENIED, event.action());
    assertEquals(AuditEvent.Outcome.DENIED, event.outcome());
    assertEquals(403, event.details().get("status"));
    assertEquals("/v1/tenants/acme/accounts", event.target());
  }

  @Test
  void probingAnotherTenantIsRecordedWithThatTenantsName() throws Exception {
    assertEquals(404, get("/v1/tenants/other/accounts/a", server.operatorKey));
    var event = onlyEvent();
    assertEquals("acme", event.tenantId());
    assertEquals(AuditAction.ACCESS_DENIED, event.action());
    assertEquals("other", event.details().get("tenant"));
  }

  @Test
  void onlyAdminsAndThePlatformReadTheLog() throws Exception {
    assertEquals(403, get("/v1/tenants/acme/audit-events", server.operatorKey));
    assertEquals(403, get("/v1/tenants/acme/audit-events/verification", server.viewerKey));
    assertEquals(404, get("/v1/tenants/other/audit-events", server.operatorKey));
    assertEquals(403, get("/v1/audit-events", server.operatorKey));
    assertEquals(400, get("/v1/tenants/acme/audit-events?action=nope", RouteServer.PLATFORM_KEY));
  }
}
