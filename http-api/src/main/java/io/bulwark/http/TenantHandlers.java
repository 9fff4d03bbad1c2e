package io.bulwark.http;

import io.bulwark.domain.tenant.ApiKeyView;
import io.bulwark.domain.tenant.Role;
import io.bulwark.domain.tenant.Tenant;
import io.bulwark.http.auth.ApiKeys;
import io.bulwark.http.auth.KeyRevocations;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Location;

/** Tenants and their API keys. */
final class TenantHandlers {
  private static final Pattern KEY_ID = Pattern.compile("^k[a-z0-9]{20}$");

  private final EntityGateway entities;
  private final KeyRevocations revocations;

  TenantHandlers(EntityGateway entities, KeyRevocations revocations) {
    this.entities = entities;
    this.revocations = revocations;
  }

  CompletionStage<HttpResponse> create(Call call, JsonBody body) {
    Access.platformOnly(call.principal());
    String id = body.requiredId("id");
    String name = body.requiredString("name", 200);
    return entities
        .createTenant(id, name)
        .thenApply(
            reply -> {
              if (reply instanceof Tenant.Created created) {
                return Json.response(
                    201, created.tenant(), List.of(Location.create(Paths.tenant(id))));
              }
              throw new ApiException(409, "tenant_exists", "A tenant with this id already exists.");
            });
  }

  CompletionStage<HttpResponse> get(Call call, String tenantId) {
    Access.platformOrAnyRole(call.principal(), tenantId);
    return entities
        .getTenant(tenantId)
        .thenApply(
            reply -> {
              if (reply.tenant() == null) {
                throw ApiException.notFound();
              }
              return Json.response(200, reply.tenant());
            });
  }

  CompletionStage<HttpResponse> createKey(Call call, String tenantId, JsonBody body) {
    Access.platformOrAdmin(call.principal(), tenantId);
    String name = body.requiredString("name", 200);
    List<String> roles = roles(body);
    var issued = ApiKeys.issue(tenantId);
    return entities
        .issueKey(tenantId, issued.keyId(), name, roles, issued.hash())
        .thenApply(
            reply -> {
              if (reply.key() == null) {
                throw ApiException.notFound();
              }
              return Json.response(
                  201,
                  withSecret(reply.key(), issued.secret()),
                  List.of(Location.create(Paths.apiKey(tenantId, issued.keyId()))));
            });
  }

  CompletionStage<HttpResponse> listKeys(Call call, String tenantId) {
    Access.platformOrAdmin(call.principal(), tenantId);
    return entities
        .listKeys(tenantId)
        .thenApply(
            reply -> {
              if (reply.keys() == null) {
                throw ApiException.notFound();
              }
              Map<String, Object> page = new LinkedHashMap<>();
              page.put("items", reply.keys());
              page.put("nextCursor", null);
              return Json.response(200, page);
            });
  }

  CompletionStage<HttpResponse> revokeKey(Call call, String tenantId, String keyId) {
    Access.platformOrAdmin(call.principal(), tenantId);
    if (!KEY_ID.matcher(keyId).matches()) {
      throw new ApiException(400, "invalid_id", "'keyId' is not an API key id.", "keyId");
    }
    return entities
        .revokeKey(tenantId, keyId)
        .thenApply(
            reply -> {
              if (reply.outcome() == Tenant.RevokeOutcome.NOT_FOUND) {
                throw ApiException.notFound();
              }
              revocations.revoked(tenantId, keyId);
              return HttpResponse.create().withStatus(StatusCodes.NO_CONTENT);
            });
  }

  private static List<String> roles(JsonBody body) {
    var names = body.requiredStringArray("roles");
    if (names.isEmpty()) {
      throw new ApiException(400, "invalid_role", "A key needs at least one role.", "roles");
    }
    var roles = new LinkedHashSet<String>();
    for (String name : names) {
      Role role =
          Role.parse(name)
              .orElseThrow(
                  () ->
                      new ApiException(
                          400,
                          "invalid_role",
                          "Roles are admin, operator and viewer; '" + name + "' is none of them.",
                          "roles"));
      roles.add(role.wireName());
    }
    return List.copyOf(roles);
  }

  private static Map<String, Object> withSecret(ApiKeyView key, String secret) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", key.id());
    body.put("name", key.name());
    body.put("roles", key.roles());
    body.put("secret", secret);
    body.put("createdAt", key.createdAt());
    body.put("revokedAt", key.revokedAt());
    return body;
  }
}
