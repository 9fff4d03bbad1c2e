package io.bulwark.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swagger.parser.OpenAPIParser;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** docs/openapi.yaml is a valid OpenAPI document describing every operation of API.md. */
class OpenApiDocumentTest {
  @Test
  void theDocumentParsesWithoutErrorsAndHasEveryOperation() {
    var result = new OpenAPIParser().readLocation(OpenApiContract.DOCUMENT.toString(), null, null);
    assertTrue(
        result.getMessages() == null || result.getMessages().isEmpty(),
        String.valueOf(result.getMessages()));
    var api = result.getOpenAPI();
    assertNotNull(api);
    Map<String, List<String>> expected =
        Map.ofEntries(
            Map.entry("/v1/tenants", List.of("post")),
            Map.entry("/v1/tenants/{tenantId}", List.of("get")),
            Map.entry("/v1/tenants/{tenantId}/limits", List.of("get", "put", "delete")),
            Map.entry("/v1/tenants/{tenantId}/api-keys", List.of("post", "get")),
            Map.entry("/v1/tenants/{tenantId}/api-keys/{keyId}", List.of("delete", "patch")),
            Map.entry("/v1/tenants/{tenantId}/api-keys/{keyId}/rotate", List.of("post")),
            Map.entry("/v1/tenants/{tenantId}/accounts", List.of("post", "get")),
            Map.entry("/v1/tenants/{tenantId}/accounts/{accountId}", List.of("get")),
            Map.entry("/v1/tenants/{tenantId}/accounts/{accountId}/entries", List.of("get")),
            Map.entry("/v1/tenants/{tenantId}/transfers", List.of("post", "get")),
            Map.entry("/v1/tenants/{tenantId}/transfers:batch", List.of("post")),
            Map.entry("/v1/tenants/{tenantId}/transfers/{transferId}", List.of("get")),
            Map.entry("/v1/tenants/{tenantId}/audit-events", List.of("get")),
            Map.entry("/v1/tenants/{tenantId}/audit-events/verification", List.of("get")),
            Map.entry("/v1/audit-events", List.of("get")),
            Map.entry("/v1/audit-events/verification", List.of("get")),
            Map.entry("/v1/tenants/{tenantId}/webhooks", List.of("post", "get")),
            Map.entry(
                "/v1/tenants/{tenantId}/webhooks/{endpointId}", List.of("get", "patch", "delete")),
            Map.entry(
                "/v1/tenants/{tenantId}/webhooks/{endpointId}/rotate-secret", List.of("post")),
            Map.entry("/v1/tenants/{tenantId}/webhooks/{endpointId}/deliveries", List.of("get")),
            Map.entry(
                "/v1/tenants/{tenantId}/webhooks/{endpointId}/deliveries/{webhookId}/resend",
                List.of("post")),
            Map.entry("/v1/tenants/{tenantId}/webhooks/{endpointId}/dead-letters", List.of("get")),
            Map.entry("/v1/tenants/{tenantId}/webhooks/{endpointId}/replay", List.of("post")),
            Map.entry("/v1/tenants/{tenantId}/webhooks/{endpointId}/recover", List.of("post")),
            Map.entry(
                "/v1/tenants/{tenantId}/webhooks/{endpointId}/recoveries/{recoveryId}",
                List.of("get")),
            Map.entry("/v1/projection-dead-letters", List.of("get")),
            Map.entry("/v1/tenants/{tenantId}/reconciliation", List.of("get")),
            Map.entry("/v1/tenants/{tenantId}/projection-dead-letters/replay", List.of("post")));
    expected.forEach(
        (path, methods) -> {
          var item = api.getPaths().get(path);
          assertNotNull(item, path);
          for (String method : methods) {
            var operation =
                switch (method) {
                  case "get" -> item.getGet();
                  case "post" -> item.getPost();
                  case "put" -> item.getPut();
                  case "patch" -> item.getPatch();
                  case "delete" -> item.getDelete();
                  default -> throw new IllegalArgumentException(method);
                };
            assertNotNull(operation, method + " " + path);
          }
        });
    assertEquals(expected.size(), api.getPaths().size());
  }
}
