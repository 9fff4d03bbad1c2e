package io.bulwark.node;

import static io.bulwark.node.ApiClient.delete;
import static io.bulwark.node.ApiClient.get;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.bulwark.testing.Eventually;
import io.bulwark.testing.TestDatabase;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** A key revoked through one node stops working on every node within 5 seconds. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RevocationAcrossNodesTest {
  private TestDatabase db;
  private TestNode a;
  private TestNode b;
  private ApiClient apiA;
  private ApiClient apiB;
  private Ledger ledgerA;
  private final String platformKey = TestNode.newPlatformKey();

  @BeforeAll
  void start() throws Exception {
    db = TestDatabase.create();
    a = TestNode.seed(db, platformKey).start();
    b = TestNode.joining(db, platformKey, a).start();
    var managementA = new ApiClient(a.managementUrl(), null);
    Eventually.await(
        Duration.ofSeconds(30),
        () -> {
          var members = managementA.send(get("/cluster/members")).json().get("members");
          assertEquals(2, members.size());
          members.forEach(m -> assertEquals("Up", m.get("status").asText()));
        });
    apiA = new ApiClient(a.baseUrl(), new OpenApiContract());
    apiB = new ApiClient(b.baseUrl(), new OpenApiContract());
    ledgerA = new Ledger(apiA, platformKey);
  }

  @AfterAll
  void stop() throws Exception {
    try {
      b.stop();
      a.stop();
    } finally {
      db.close();
    }
  }

  @Test
  void aKeyRevokedOnOneNodeIsRefusedOnTheOtherWithinFiveSeconds() throws Exception {
    String admin = ledgerA.tenantWithAdmin("rev");
    String operator = ledgerA.key("rev", admin, "operator");
    String keyId = operator.split("\\.")[1];
    // Node B has cached the key as valid.
    assertEquals(200, apiB.send(get("/v1/tenants/rev").key(operator)).status());
    assertEquals(204, apiA.send(delete("/v1/tenants/rev/api-keys/" + keyId).key(admin)).status());
    Eventually.await(
        Duration.ofSeconds(5),
        () -> assertEquals(401, apiB.send(get("/v1/tenants/rev").key(operator)).status()));
    assertEquals(401, apiA.send(get("/v1/tenants/rev").key(operator)).status());
    assertEquals(200, apiB.send(get("/v1/tenants/rev").key(admin)).status(), "others still work");
  }
}
