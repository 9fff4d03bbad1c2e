package io.bulwark.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.bulwark.audit.AuditAction;
import io.bulwark.audit.AuditEvent;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Bearer JWTs of an enterprise's identity provider (ADR 0021), at the edge: a fake IdP on loopback
 * publishes the keys and signs the tokens; tenants "acme" and "globex" exist.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JwtRoutesTest {
  /** Many failures from one address: the per-IP lockout is not what these tests look at. */
  static final String NO_LOCKOUT =
      "bulwark.limits.auth-failures { per-minute = 100000, burst = 100000 }";

  private FakeIdp idp;
  private RouteServer server;

  @BeforeAll
  void start() throws Exception {
    idp = new FakeIdp();
    server = new RouteServer(NO_LOCKOUT, idp.settings());
  }

  @AfterAll
  void stop() {
    server.close();
    idp.close();
  }

  @BeforeEach
  void forget() {
    server.audited.clear();
  }

  private static HttpResponse<String> send(
      RouteServer server, String method, String path, String token, String body) throws Exception {
    var builder = server.json(method, path, token, body);
    if (body != null) {
      builder.header("Idempotency-Key", "k-1");
    }
    return server.send(builder.build());
  }

  private static JsonNode problem(HttpResponse<String> response, int status, String code)
      throws Exception {
    assertEquals(status, response.statusCode(), response.body());
    JsonNode body = Json.MAPPER.readTree(response.body());
    assertEquals(code, body.get("code").asText(), response.body());
    return body;
  }

  /** Reaches the transfer's validation: authenticated, and allowed to write. */
  private static void canWrite(RouteServer server, String token) throws Exception {
    var invalid =
        problem(
            send(server, "POST", "/v1/tenants/acme/transfers", token, "{\"to\":\"b\"}"),
            400,
            "invalid_request");
    assertEquals("from", invalid.get("member").asText());
  }

  private AuditEvent onlyEvent() {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (server.audited.isEmpty() && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertEquals(1, server.audited.size(), server.audited.toString());
    return server.audited.get(0);
  }

  @Test
  void anOperatorTokenActsAsAnOperatorOfItsTenantOnly() throws Exception {
    String operator = idp.token("acme", "operator");
    canWrite(server, operator);
    canWrite(server, FakeIdp.sign(idp.ec, FakeIdp.claims("acme", "operator").build()));
    problem(
        send(
            server,
            "POST",
            "/v1/tenants/acme/api-keys",
            operator,
            "{\"name\":\"k\",\"roles\":[\"viewer\"]}"),
        403,
        "forbidden");
    problem(send(server, "GET", "/v1/tenants/globex/accounts", operator, null), 404, "not_found");
    problem(
        send(server, "POST", "/v1/tenants/acme/transfers", idp.token("acme", "viewer"), "{}"),
        403,
        "forbidden");
    // Refusals are recorded under the token's subject in its tenant's chain.
    server.audited.clear();
    problem(send(server, "GET", "/v1/tenants/globex/accounts", operator, null), 404, "not_found");
    var denied = onlyEvent();
    assertEquals(AuditAction.ACCESS_DENIED, denied.action());
    assertEquals("acme", denied.tenantId());
    assertEquals("jwt:user-1", denied.actor());
  }

  @Test
  void unknownRolesAreIgnoredAndAStringOfRolesIsRead() throws Exception {
    canWrite(server, FakeIdp.sign(idp.rsa, FakeIdp.claims("acme", "auditor", "Operator").build()));
    var spaced = FakeIdp.claims("acme").claim("bulwark_roles", "viewer operator").build();
    canWrite(server, FakeIdp.sign(idp.rsa, spaced));
  }

  @Test
  void badTokensAreUnauthenticatedAndAuditedInTheRightChain() throws Exception {
    Instant now = Instant.now();
    var stranger = FakeIdp.rsa("rsa-1"); // not the IdP's key, under the IdP's kid
    var expected = new LinkedHashMap<String, String[]>();
    var tokens = new LinkedHashMap<String, String>();
    tokens.put(
        "wrong issuer",
        idp.sign(idp.rsa, FakeIdp.claims("acme", "admin").issuer("https://evil.test").build()));
    tokens.put(
        "wrong audience",
        idp.sign(idp.rsa, FakeIdp.claims("acme", "admin").audience("other-app").build()));
    tokens.put(
        "expired",
        idp.sign(
            idp.rsa,
            FakeIdp.claims("acme", "admin")
                .expirationTime(Date.from(now.minus(Duration.ofMinutes(10))))
                .build()));
    tokens.put(
        "not yet valid",
        idp.sign(
            idp.rsa,
            FakeIdp.claims("acme", "admin")
                .notBeforeTime(Date.from(now.plus(Duration.ofMinutes(10))))
                .build()));
    tokens.put("alg none", new PlainJWT(FakeIdp.claims("acme", "admin").build()).serialize());
    tokens.put("alg none with a kid", noneWithKid(FakeIdp.claims("acme", "admin").build()));
    tokens.put("HS256 with the public key", hmacWithPublicKey());
    tokens.put(
        "unknown kid",
        FakeIdp.sign(
            FakeIdp.rsa("kid-" + UUID.randomUUID()), FakeIdp.claims("acme", "admin").build()));
    tokens.put(
        "bad signature naming another tenant",
        FakeIdp.sign(stranger, FakeIdp.claims("globex", "admin").build()));
    tokens.put("unknown tenant", idp.token("nobody", "admin"));
    tokens.put("invalid tenant id", idp.token("Not A Tenant!", "admin"));
    tokens.put("no Bulwark role", idp.token("acme", "auditor"));
    tokens.put(
        "no subject", FakeIdp.sign(idp.rsa, FakeIdp.claims("acme", "admin").subject(null).build()));
    expected.put("wrong issuer", new String[] {"invalid_token", AuditEvent.PLATFORM_CHAIN});
    expected.put("wrong audience", new String[] {"invalid_token", AuditEvent.PLATFORM_CHAIN});
    expected.put("expired", new String[] {"expired_token", "acme"});
    expected.put("not yet valid", new String[] {"invalid_token", "acme"});
    expected.put("alg none", new String[] {"invalid_token", AuditEvent.PLATFORM_CHAIN});
    expected.put("alg none with a kid", new String[] {"invalid_token", AuditEvent.PLATFORM_CHAIN});
    expected.put(
        "HS256 with the public key", new String[] {"invalid_token", AuditEvent.PLATFORM_CHAIN});
    expected.put("unknown kid", new String[] {"invalid_token", AuditEvent.PLATFORM_CHAIN});
    expected.put(
        "bad signature naming another tenant",
        new String[] {"invalid_token", AuditEvent.PLATFORM_CHAIN});
    expected.put("unknown tenant", new String[] {"unknown_tenant", AuditEvent.PLATFORM_CHAIN});
    expected.put("invalid tenant id", new String[] {"invalid_token", AuditEvent.PLATFORM_CHAIN});
    expected.put("no Bulwark role", new String[] {"invalid_token", "acme"});
    expected.put("no subject", new String[] {"invalid_token", AuditEvent.PLATFORM_CHAIN});
    for (var entry : tokens.entrySet()) {
      String what = entry.getKey();
      String token = entry.getValue();
      server.audited.clear();
      var response = send(server, "GET", "/v1/tenants/acme/accounts", token, null);
      assertEquals(401, response.statusCode(), what + ": " + response.body());
      assertEquals("unauthenticated", Json.MAPPER.readTree(response.body()).get("code").asText());
      assertFalse(response.body().contains(token), what);
      var event = onlyEvent();
      assertEquals(AuditAction.AUTHENTICATION_FAILED, event.action(), what);
      assertEquals(expected.get(what)[0], event.details().get("reason"), what);
      assertEquals(expected.get(what)[1], event.tenantId(), what);
      assertNull(event.actor(), what);
      if (!event.tenantId().equals(AuditEvent.PLATFORM_CHAIN)) {
        assertEquals("token-subjects/user-1", event.target(), what);
      } else {
        assertNull(event.target(), what);
      }
      assertFalse(event.toString().contains(token), what);
      String signature = token.substring(token.lastIndexOf('.') + 1);
      assertTrue(signature.isEmpty() || !event.toString().contains(signature), what);
    }
  }

  /** {"alg":"none","kid":"rsa-1"} with the claims and no signature. */
  private static String noneWithKid(JWTClaimsSet claims) {
    var b64 = java.util.Base64.getUrlEncoder().withoutPadding();
    return b64.encodeToString(
            "{\"alg\":\"none\",\"kid\":\"rsa-1\"}".getBytes(StandardCharsets.UTF_8))
        + "."
        + b64.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8))
        + ".";
  }

  /** The algorithm-confusion attack: an HMAC keyed with the IdP's public RSA key. */
  private String hmacWithPublicKey() throws Exception {
    var jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(idp.rsa.getKeyID()).build(),
            FakeIdp.claims("acme", "admin").build());
    jwt.sign(new MACSigner(idp.rsa.toPublicJWK().toRSAPublicKey().getEncoded()));
    return io.bulwark.testing.TestSecrets.remember(jwt.serialize());
  }

  @Test
  void aBurstOfRandomKidsFetchesTheJwksAtMostOncePerInterval() throws Exception {
    canWrite(server, idp.token("acme", "operator")); // the key set is loaded
    int before = idp.jwksRequests.get();
    var pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Integer>> answers = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        String token =
            FakeIdp.sign(
                idp.rsa.toRSAKey(), // the IdP's own key, under a kid it never published
                FakeIdp.claims("acme", "admin").build());
        String randomKid = withKid(token, "kid-" + UUID.randomUUID());
        answers.add(
            pool.submit(
                () ->
                    send(server, "GET", "/v1/tenants/acme/accounts", randomKid, null)
                        .statusCode()));
      }
      for (var answer : answers) {
        assertEquals(401, answer.get());
      }
    } finally {
      pool.shutdownNow();
    }
    int fetched = idp.jwksRequests.get() - before;
    assertTrue(fetched <= 1, "JWKS fetched " + fetched + " times for 100 random kids");
    canWrite(server, idp.token("acme", "operator")); // the real key still works
  }

  /** The same token under another kid in its header (the signature no longer matters). */
  private static String withKid(String token, String kid) {
    var b64 = java.util.Base64.getUrlEncoder().withoutPadding();
    String header = "{\"alg\":\"RS256\",\"kid\":\"" + kid + "\"}";
    return b64.encodeToString(header.getBytes(StandardCharsets.UTF_8))
        + token.substring(token.indexOf('.'));
  }

  @Test
  void theIdpsKeyRotationIsHonouredWithoutARestart() throws Exception {
    try (var rotating = new FakeIdp();
        var node =
            new RouteServer(
                NO_LOCKOUT,
                rotating
                    .settings()
                    .withJwks(
                        Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofMillis(200)))) {
      String old = rotating.token("acme", "operator");
      canWrite(node, old);
      var next = FakeIdp.rsa("rsa-2");
      rotating.publish(next, rotating.ec); // rsa-1 retired
      Thread.sleep(300);
      // A new kid is fetched at once ...
      canWrite(node, FakeIdp.sign(next, FakeIdp.claims("acme", "operator").build()));
      // ... and the retired key stops working once the cached set expires.
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      int status;
      do {
        Thread.sleep(200);
        status = send(node, "GET", "/v1/tenants/acme/accounts/a", old, null).statusCode();
      } while (status != 401 && System.nanoTime() < deadline);
      assertEquals(401, status);
    }
  }

  @Test
  void withoutJwtSettingsAJwtIsAMalformedToken() throws Exception {
    try (var plain = new RouteServer(NO_LOCKOUT)) {
      var response =
          send(plain, "GET", "/v1/tenants/acme/accounts", idp.token("acme", "admin"), null);
      problem(response, 401, "unauthenticated");
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (plain.audited.isEmpty() && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertEquals("malformed", plain.audited.get(0).details().get("reason"));
    }
  }

  @Test
  void anUnreachableIdpIsServiceUnavailableNotAFailedLogin() throws Exception {
    var gone = new FakeIdp();
    gone.close();
    try (var node =
        new RouteServer(
            NO_LOCKOUT,
            gone.settings()
                .withJwks(Duration.ofSeconds(1), Duration.ofMinutes(5), Duration.ofSeconds(10)))) {
      var response =
          send(node, "GET", "/v1/tenants/acme/accounts", gone.token("acme", "admin"), null);
      problem(response, 503, "unavailable");
      assertTrue(response.headers().firstValue("Retry-After").isPresent());
      Thread.sleep(200);
      assertTrue(node.audited.isEmpty(), node.audited.toString());
    }
  }

  @Test
  void apiKeysAndThePlatformKeyKeepWorking() throws Exception {
    var operatorKey = server.operatorKey;
    var response =
        send(server, "POST", "/v1/tenants/acme/transfers", operatorKey, "{\"to\":\"b\"}");
    assertEquals(400, response.statusCode(), response.body());
    problem(
        send(server, "GET", "/v1/tenants/acme/accounts/a", RouteServer.PLATFORM_KEY, null),
        403,
        "forbidden");
    problem(
        send(server, "GET", "/v1/tenants/acme", "bwk_acme.k1.c2VjcmV0", null),
        401,
        "unauthenticated");
  }
}
