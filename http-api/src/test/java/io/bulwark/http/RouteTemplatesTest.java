package io.bulwark.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RouteTemplatesTest {
  @ParameterizedTest
  @CsvSource({
    "/v1/tenants, /v1/tenants",
    "/v1/tenants/acme, /v1/tenants/{tenantId}",
    "/v1/tenants/acme/api-keys/k1, /v1/tenants/{tenantId}/api-keys/{keyId}",
    "/v1/tenants/acme/limits, /v1/tenants/{tenantId}/limits",
    "/v1/tenants/acme/accounts, /v1/tenants/{tenantId}/accounts",
    "/v1/tenants/acme/accounts/alice/entries, /v1/tenants/{tenantId}/accounts/{accountId}/entries",
    "/v1/tenants/acme/transfers/t-1, /v1/tenants/{tenantId}/transfers/{transferId}",
    "/v1/tenants/acme/transfers:batch, /v1/tenants/{tenantId}/transfers:batch",
    "/v1/tenants/acme/webhooks/we_1/rotate-secret, /v1/tenants/{tenantId}/webhooks/{endpointId}/rotate-secret",
    "/v1/tenants/acme/webhooks/we_1/deliveries, /v1/tenants/{tenantId}/webhooks/{endpointId}/deliveries",
    "/v1/tenants/acme/webhooks/we_1/deliveries/m1/resend, /v1/tenants/{tenantId}/webhooks/{endpointId}/deliveries/{webhookId}/resend",
    "/v1/tenants/acme/webhooks/we_1/recoveries/wr_1, /v1/tenants/{tenantId}/webhooks/{endpointId}/recoveries/{recoveryId}",
  })
  void idsBecomeTheirNames(String path, String template) {
    assertEquals(template, RouteTemplates.of(path).template());
  }

  @ParameterizedTest
  @CsvSource({
    "/",
    "/nowhere",
    "/v2/tenants",
    "/v1/tenants/acme/secrets",
    "/v1/tenants//accounts",
    "/v1/tenants/acme/accounts/alice/entries/x/y",
    "/v1/tenants/acme/transfers/t-1/anything"
  })
  void aPathTheApiDoesNotServeIsUnmatched(String path) {
    var match = RouteTemplates.of(path);
    assertEquals(RouteTemplates.UNMATCHED, match.template());
    assertNull(match.tenantId());
  }

  @Test
  void theTenantOfThePathIsKept() {
    assertEquals("acme", RouteTemplates.of("/v1/tenants/acme/accounts/a").tenantId());
  }
}
