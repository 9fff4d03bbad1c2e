package io.bulwark.http.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ApiKeysTest {
  @Test
  void anIssuedKeyParsesBackToItsTenantAndIdEvenWithDotsInTheTenant() {
    var issued = ApiKeys.issue("acme.eu-1");
    var parsed = ApiKeys.parse(issued.secret()).orElseThrow();
    assertEquals("acme.eu-1", parsed.tenantId());
    assertEquals(issued.keyId(), parsed.keyId());
    assertTrue(issued.keyId().matches("^k[a-z0-9]{20}$"));
  }

  @Test
  void onlyTheHashIsKeptAndItMatchesOnlyTheSameKey() {
    var issued = ApiKeys.issue("acme");
    assertFalse(issued.hash().contains(issued.secret()));
    assertTrue(ApiKeys.hashesMatch(ApiKeys.hash(issued.secret()), issued.hash()));
    assertFalse(ApiKeys.hashesMatch(ApiKeys.hash(issued.secret() + "x"), issued.hash()));
    assertNotEquals(issued.secret(), ApiKeys.issue("acme").secret());
  }

  @Test
  void malformedKeysDoNotParse() {
    for (String key :
        new String[] {
          null, "", "bwk_", "bwk_acme", "bwk_acme.k1", "bwk_.k1.s", "bwk_acme.k1.", "xyz_a.b.c"
        }) {
      assertTrue(ApiKeys.parse(key).isEmpty(), String.valueOf(key));
    }
  }
}
