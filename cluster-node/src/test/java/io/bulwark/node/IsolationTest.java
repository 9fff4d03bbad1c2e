package io.bulwark.node;

import static io.bulwark.node.ApiClient.delete;
import static io.bulwark.node.ApiClient.get;
import static io.bulwark.node.ApiClient.post;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Tenant boundaries and roles: 404 across tenants, 403 by role, 401 without a key. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IsolationTest {
  private SingleNodeFixture f;
  private String adminA;
  private String adminB;
  private String keyIdB;

  @BeforeAll
  void start() {
    f = new SingleNodeFixture();
    adminA = f.ledger.tenantWithAdmin("iso-a");
    adminB = f.ledger.tenantWithAdmin("iso-b");
    f.ledger.account("iso-b", adminB, "bank", "EUR", null);
    f.ledger.account("iso-b", adminB, "bob", "EUR", 0L);
    assertEquals(201, f.ledger.transfer("iso-b", adminB, "b-1", "bank", "bob", 10, "EUR").status());
    var keys = f.api.send(get("/v1/tenants/iso-b/api-keys").key(adminB)).json();
    keyIdB = keys.get("items").get(0).get("id").asText();
  }

  @AfterAll
  void stop() throws Exception {
    f.close();
  }

  private List<ApiClient.Call> everyTenantEndpointOfB() {
    String t = "/v1/tenants/iso-b";
    return List.of(
        get(t),
        post(t + "/api-keys").json(Map.of("name", "x", "roles", List.of("admin"))),
        get(t + "/api-keys"),
        delete(t + "/api-keys/" + keyIdB),
        post(t + "/accounts").json(Map.of("id", "evil", "currency", "EUR")),
        get(t + "/accounts"),
        get(t + "/accounts/bob"),
        get(t + "/accounts/bob/entries"),
        post(t + "/transfers")
            .header("Idempotency-Key", "steal")
            .json(Map.of("from", "bob", "to", "bank", "amount", 10, "currency", "EUR")),
        get(t + "/transfers"),
        get(t + "/transfers/b-1"));
  }

  @Test
  void anotherTenantsKeyGetsNotFoundOnEveryEndpoint() {
    for (var call : everyTenantEndpointOfB()) {
      var response = f.api.send(call.key(adminA));
      assertEquals(404, response.status(), call.method + " " + call.path);
      assertEquals("not_found", response.code());
    }
    assertEquals(10, f.ledger.balance("iso-b", adminB, "bob"), "nothing moved");
  }

  @Test
  void aViewerCannotWrite() {
    String viewer = f.ledger.key("iso-b", adminB, "viewer");
    assertEquals(200, f.api.send(get("/v1/tenants/iso-b/accounts/bob").key(viewer)).status());
    assertForbidden(
        post("/v1/tenants/iso-b/accounts").json(Map.of("id", "v1", "currency", "EUR")), viewer);
    assertForbidden(
        post("/v1/tenants/iso-b/transfers")
            .header("Idempotency-Key", "v-1")
            .json(Map.of("from", "bank", "to", "bob", "amount", 1, "currency", "EUR")),
        viewer);
    assertForbidden(
        post("/v1/tenants/iso-b/api-keys").json(Map.of("name", "x", "roles", List.of("admin"))),
        viewer);
    assertForbidden(get("/v1/tenants/iso-b/api-keys"), viewer);
  }

  @Test
  void anOperatorMovesMoneyButCannotManageKeys() {
    String operator = f.ledger.key("iso-b", adminB, "operator");
    assertEquals(
        201, f.ledger.transfer("iso-b", operator, "op-1", "bank", "bob", 1, "EUR").status());
    assertForbidden(delete("/v1/tenants/iso-b/api-keys/" + keyIdB), operator);
  }

  @Test
  void thePlatformKeyCannotReadOrMoveMoney() {
    String t = "/v1/tenants/iso-b";
    for (var call :
        List.of(
            get(t + "/accounts"),
            get(t + "/accounts/bob"),
            get(t + "/accounts/bob/entries"),
            get(t + "/transfers"),
            get(t + "/transfers/b-1"),
            post(t + "/accounts").json(Map.of("id", "p1", "currency", "EUR")),
            post(t + "/transfers")
                .header("Idempotency-Key", "p-1")
                .json(Map.of("from", "bob", "to", "bank", "amount", 1, "currency", "EUR")))) {
      assertForbidden(call, f.platformKey);
    }
    assertEquals(200, f.api.send(get(t).key(f.platformKey)).status());
    assertEquals(200, f.api.send(get(t + "/api-keys").key(f.platformKey)).status());
  }

  @Test
  void noKeyOrAnUnknownKeyIsUnauthenticated() {
    for (String key : new String[] {null, "nonsense", "bwk_iso-b.kaaaaaaaaaaaaaaaaaaaa.secret"}) {
      var response = f.api.send(get("/v1/tenants/iso-b/accounts").key(key));
      assertEquals(401, response.status());
      assertEquals("unauthenticated", response.code());
      assertEquals("Bearer", response.header("WWW-Authenticate").orElseThrow());
    }
    String forged = adminB.substring(0, adminB.lastIndexOf('.') + 1) + "AAAA";
    assertEquals(401, f.api.send(get("/v1/tenants/iso-b").key(forged)).status());
  }

  private void assertForbidden(ApiClient.Call call, String key) {
    var response = f.api.send(call.key(key));
    assertEquals(403, response.status(), call.method + " " + call.path + " " + response.body());
    assertEquals("forbidden", response.code());
  }
}
