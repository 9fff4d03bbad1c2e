package io.bulwark.node;

import static io.bulwark.node.ApiClient.get;
import static io.bulwark.node.ApiClient.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import io.bulwark.testing.TestDatabase;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A real node with BULWARK_JWT_* settings read by {@link Environment}, an identity provider on
 * loopback publishing an EC key: its tokens open accounts and move money as their roles allow, are
 * audited under their subject, and stop at their tenant's border.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JwtEndToEndTest {
  private static final String ISSUER = "https://idp.example.test/enterprise";

  private final ECKey key = generate();
  private final AtomicInteger jwksRequests = new AtomicInteger();
  private HttpServer idp;
  private TestDatabase db;
  private TestNode node;
  private ApiClient api;
  private Ledger ledger;

  private static ECKey generate() {
    try {
      return new ECKeyGenerator(Curve.P_256).keyID("idp-2026").generate();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @BeforeAll
  void start() throws Exception {
    idp = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    byte[] jwks = new JWKSet(key.toPublicJWK()).toString(true).getBytes(StandardCharsets.UTF_8);
    idp.createContext(
        "/certs",
        exchange -> {
          jwksRequests.incrementAndGet();
          exchange.sendResponseHeaders(200, jwks.length);
          try (var out = exchange.getResponseBody()) {
            out.write(jwks);
          }
        });
    idp.start();
    var env =
        Map.of(
            "BULWARK_DB_URL", "jdbc:postgresql://127.0.0.1:1/unused",
            "BULWARK_DB_PASSWORD", "unused",
            "BULWARK_PLATFORM_KEY", "unused",
            "BULWARK_AUDIT_KEY", "unused-audit-key-of-enough-length-0123456789",
            "BULWARK_WEBHOOK_KEY", "unused-webhook-key-of-enough-length-0123456789",
            "BULWARK_JWT_ISSUER", ISSUER,
            "BULWARK_JWT_JWKS_URL", "http://127.0.0.1:" + idp.getAddress().getPort() + "/certs",
            "BULWARK_JWT_AUDIENCE", "ledger",
            "BULWARK_JWT_TENANT_CLAIM", "org",
            "BULWARK_JWT_ROLES_CLAIM", "groups");
    var jwt = new Environment(env).settings(null).jwt().orElseThrow();
    db = TestDatabase.create();
    String platformKey = TestNode.newPlatformKey();
    node = TestNode.seed(db, platformKey).withJwt(jwt).start();
    api = new ApiClient(node.baseUrl(), new OpenApiContract());
    ledger = new Ledger(api, platformKey);
  }

  @AfterAll
  void stop() throws Exception {
    try {
      node.stop();
    } finally {
      db.close();
      idp.stop(0);
    }
  }

  private String token(String tenant, String subject, Instant expires, String... groups) {
    try {
      var claims =
          new JWTClaimsSet.Builder()
              .issuer(ISSUER)
              .audience("ledger")
              .subject(subject)
              .issueTime(new Date())
              .expirationTime(Date.from(expires))
              .claim("org", tenant)
              .claim("groups", List.of(groups))
              .build();
      var jwt =
          new SignedJWT(
              new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(), claims);
      jwt.sign(new ECDSASigner(key));
      return io.bulwark.testing.TestSecrets.remember(jwt.serialize());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private String token(String tenant, String subject, String... groups) {
    return token(tenant, subject, Instant.now().plus(Duration.ofMinutes(5)), groups);
  }

  @Test
  void anOperatorTokenMovesMoneyInItsTenantOnly() throws Exception {
    String admin = ledger.tenantWithAdmin("jwt-acme");
    ledger.tenantWithAdmin("jwt-globex");
    String operator = token("jwt-acme", "alice@example.com", "operator", "other-app-role");

    ledger.account("jwt-acme", operator, "bank", "EUR", null);
    ledger.account("jwt-acme", operator, "alice", "EUR", 0L);
    var moved = ledger.transfer("jwt-acme", operator, "t-1", "bank", "alice", 1250, "EUR");
    assertTrue(moved.status() == 201 || moved.status() == 202, moved.body());
    io.bulwark.testing.Eventually.await(
        Duration.ofSeconds(10),
        () -> assertEquals(1250, ledger.balance("jwt-acme", operator, "alice")));

    assertEquals(404, api.send(get("/v1/tenants/jwt-globex/accounts/bank").key(operator)).status());
    assertEquals(
        403,
        api.send(
                post("/v1/tenants/jwt-acme/api-keys")
                    .key(operator)
                    .json(Map.of("name", "x", "roles", List.of("viewer"))))
            .status());
    String viewer = token("jwt-acme", "bob", "viewer");
    assertEquals(200, api.send(get("/v1/tenants/jwt-acme/accounts/alice").key(viewer)).status());
    assertEquals(
        403,
        api.send(
                post("/v1/tenants/jwt-acme/accounts")
                    .key(viewer)
                    .json(Map.of("id", "x", "currency", "EUR")))
            .status());

    // What the token did is in the tenant's audit log under its subject, never the token.
    var log = api.send(get("/v1/tenants/jwt-acme/audit-events?limit=200").key(admin));
    assertEquals(200, log.status(), log.body());
    List<JsonNode> events = new ArrayList<>();
    log.json().get("items").forEach(events::add);
    assertTrue(
        events.stream()
            .anyMatch(
                e ->
                    e.get("action").asText().equals("account.created")
                        && e.get("actor").asText().equals("jwt:alice@example.com")),
        log.body());
    assertFalse(log.body().contains(operator.substring(operator.lastIndexOf('.') + 1)));
  }

  @Test
  void badTokensAreUnauthenticatedAndAudited() {
    String admin = ledger.tenantWithAdmin("jwt-audited");
    String expired =
        token("jwt-audited", "carol", Instant.now().minus(Duration.ofMinutes(10)), "admin");
    var refused = api.send(get("/v1/tenants/jwt-audited").key(expired));
    assertEquals(401, refused.status(), refused.body());
    assertEquals("unauthenticated", refused.code());
    assertEquals(
        401,
        api.send(get("/v1/tenants/jwt-nobody").key(token("jwt-nobody", "dan", "admin"))).status());

    var log =
        api.send(
            get("/v1/tenants/jwt-audited/audit-events?action=authentication.failed").key(admin));
    assertEquals(200, log.status(), log.body());
    assertTrue(log.body().contains("\"reason\":\"expired_token\""), log.body());
    assertTrue(log.body().contains("token-subjects/carol"), log.body());
    assertTrue(jwksRequests.get() >= 1);
  }
}
