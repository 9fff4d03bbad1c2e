package io.bulwark.http;

import io.bulwark.audit.AuditAction;
import io.bulwark.domain.Times;
import io.bulwark.domain.tenant.ApiKeyView;
import io.bulwark.domain.tenant.Role;
import io.bulwark.domain.tenant.Tenant;
import io.bulwark.domain.tenant.TenantLimits;
import io.bulwark.http.auth.ApiKeys;
import io.bulwark.http.auth.KeyRevocations;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Location;

/** Tenants and their API keys. */
final class TenantHandlers {
  private static final Pattern KEY_ID = Pattern.compile("^k[a-z0-9]{20}$");
  private static final int DEFAULT_OVERLAP_SECONDS = 86_400;
  private static final int MAX_OVERLAP_SECONDS = 7 * 86_400;

  private final EntityGateway entities;
  private final KeyRevocations revocations;
  private final TenantLimits defaultLimits;
  private final Auditor auditor;

  TenantHandlers(
      EntityGateway entities,
      KeyRevocations revocations,
      TenantLimits defaultLimits,
      Auditor auditor) {
    this.entities = entities;
    this.revocations = revocations;
    this.defaultLimits = defaultLimits;
    this.auditor = auditor;
  }

  CompletionStage<HttpResponse> create(Call call, JsonBody body) {
    Access.platformOnly(call.principal());
    String id = body.requiredId("id");
    String name = body.requiredString("name", 200);
    var response =
        entities
            .createTenant(call, id, name)
            .thenApply(
                reply -> {
                  if (reply instanceof Tenant.Created created) {
                    return Json.response(
                        201, created.tenant(), List.of(Location.create(Paths.tenant(id))));
                  }
                  throw new ApiException(
                      409, "tenant_exists", "A tenant with this id already exists.");
                });
    return auditor.after(
        response, call, id, AuditAction.TENANT_CREATED, "tenants/" + id, Map.of("name", name));
  }

  CompletionStage<HttpResponse> get(Call call, String tenantId) {
    Access.platformOrAnyRole(call.principal(), tenantId);
    return entities
        .getTenant(call, tenantId)
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
    var expiresAt = body.optionalFutureTime("expiresAt", Times.now());
    var issued = ApiKeys.issue(tenantId);
    var response =
        entities
            .issueKey(call, tenantId, issued.keyId(), name, roles, issued.hash(), expiresAt)
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
    return auditor.after(
        response,
        call,
        tenantId,
        AuditAction.API_KEY_ISSUED,
        "api-keys/" + issued.keyId(),
        Map.of("name", name, "roles", roles));
  }

  /**
   * Replaces a key: a new secret with the same name and roles, while the old key keeps working for
   * {@code overlapSeconds} (default a day) so that clients can switch without an outage.
   */
  CompletionStage<HttpResponse> rotateKey(Call call, String tenantId, String keyId, JsonBody body) {
    Access.platformOrAdmin(call.principal(), tenantId);
    checkedKeyId(keyId);
    var now = Times.now();
    int overlap =
        body.optionalInt("overlapSeconds", 0, MAX_OVERLAP_SECONDS, DEFAULT_OVERLAP_SECONDS);
    var expiresAt = body.optionalFutureTime("expiresAt", now);
    var issued = ApiKeys.issue(tenantId);
    var response =
        entities
            .rotateKey(
                call,
                tenantId,
                keyId,
                issued.keyId(),
                issued.hash(),
                expiresAt,
                now.plusSeconds(overlap),
                now)
            .thenApply(
                reply ->
                    switch (reply.outcome()) {
                      case NOT_FOUND -> throw ApiException.notFound();
                      case NOT_ACTIVE ->
                          throw new ApiException(
                              409,
                              "api_key_inactive",
                              "This key is revoked or has expired; issue a new key instead.");
                      case ROTATED -> {
                        revocations.revoked(tenantId, keyId); // other nodes reload its expiry
                        Map<String, Object> json = withSecret(reply.newKey(), issued.secret());
                        json.put("replaces", reply.oldKey());
                        yield Json.response(
                            201,
                            json,
                            List.of(Location.create(Paths.apiKey(tenantId, reply.newKey().id()))));
                      }
                    });
    return auditor.after(
        response,
        call,
        tenantId,
        AuditAction.API_KEY_ROTATED,
        "api-keys/" + keyId,
        Map.of("newKeyId", issued.keyId(), "overlapSeconds", overlap));
  }

  /** Gives a key new roles; every node applies them within seconds (the key caches reload). */
  CompletionStage<HttpResponse> changeKeyRoles(
      Call call, String tenantId, String keyId, JsonBody body) {
    Access.platformOrAdmin(call.principal(), tenantId);
    checkedKeyId(keyId);
    List<String> roles = roles(body);
    return entities
        .changeKeyRoles(call, tenantId, keyId, roles)
        .thenCompose(
            reply -> {
              if (reply.key() == null) {
                throw ApiException.notFound();
              }
              if (reply.previousRoles() == null) {
                throw new ApiException(
                    409, "api_key_inactive", "This key is revoked or has expired.");
              }
              revocations.revoked(tenantId, keyId); // every node reloads the key's roles
              return auditor.after(
                  CompletableFuture.completedFuture(Json.response(200, reply.key())),
                  call,
                  tenantId,
                  AuditAction.API_KEY_ROLES_CHANGED,
                  "api-keys/" + keyId,
                  Map.of("from", reply.previousRoles(), "to", roles));
            });
  }

  private static void checkedKeyId(String keyId) {
    if (!KEY_ID.matcher(keyId).matches()) {
      throw new ApiException(400, "invalid_id", "'keyId' is not an API key id.", "keyId");
    }
  }

  CompletionStage<HttpResponse> listKeys(Call call, String tenantId) {
    Access.platformOrAdmin(call.principal(), tenantId);
    return entities
        .listKeys(call, tenantId)
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
    checkedKeyId(keyId);
    var response =
        entities
            .revokeKey(call, tenantId, keyId)
            .thenApply(
                reply -> {
                  if (reply.outcome() == Tenant.RevokeOutcome.NOT_FOUND) {
                    throw ApiException.notFound();
                  }
                  revocations.revoked(tenantId, keyId);
                  return HttpResponse.create().withStatus(StatusCodes.NO_CONTENT);
                });
    return auditor.after(
        response, call, tenantId, AuditAction.API_KEY_REVOKED, "api-keys/" + keyId, Map.of());
  }

  /** A tenant's rate limits as they apply now: its own, or the configured defaults. */
  CompletionStage<HttpResponse> getLimits(Call call, String tenantId) {
    Access.platformOrAnyRole(call.principal(), tenantId);
    return entities
        .getLimits(call, tenantId)
        .thenApply(reply -> limitsResponse(tenantId, reply, false));
  }

  /** Sets a tenant's own limits (platform only); every node applies them within seconds. */
  CompletionStage<HttpResponse> setLimits(Call call, String tenantId, JsonBody body) {
    Access.platformFor(call.principal(), tenantId);
    var limits =
        new TenantLimits(
            body.requiredInt("writesPerSecond", 1, TenantLimits.MAX),
            body.requiredInt("writeBurst", 1, TenantLimits.MAX),
            body.requiredInt("readsPerSecond", 1, TenantLimits.MAX),
            body.requiredInt("readBurst", 1, TenantLimits.MAX));
    return auditor.after(
        entities
            .setLimits(call, tenantId, limits)
            .thenApply(reply -> limitsResponse(tenantId, reply, true)),
        call,
        tenantId,
        AuditAction.LIMITS_CHANGED,
        "limits",
        Map.of(
            "writesPerSecond", limits.writesPerSecond(),
            "writeBurst", limits.writeBurst(),
            "readsPerSecond", limits.readsPerSecond(),
            "readBurst", limits.readBurst()));
  }

  /** Returns a tenant to the configured defaults (platform only). */
  CompletionStage<HttpResponse> clearLimits(Call call, String tenantId) {
    Access.platformFor(call.principal(), tenantId);
    return auditor.after(
        entities
            .setLimits(call, tenantId, null)
            .thenApply(reply -> limitsResponse(tenantId, reply, true)),
        call,
        tenantId,
        AuditAction.LIMITS_CHANGED,
        "limits",
        Map.of("source", "default"));
  }

  private HttpResponse limitsResponse(String tenantId, Tenant.LimitsReply reply, boolean changed) {
    if (!reply.exists()) {
      throw ApiException.notFound();
    }
    if (changed) {
      revocations.tenantChanged(tenantId);
    }
    TenantLimits effective = reply.limits() != null ? reply.limits() : defaultLimits;
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("writesPerSecond", effective.writesPerSecond());
    body.put("writeBurst", effective.writeBurst());
    body.put("readsPerSecond", effective.readsPerSecond());
    body.put("readBurst", effective.readBurst());
    body.put("source", reply.limits() != null ? "tenant" : "default");
    return Json.response(200, body);
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
    body.put("expiresAt", key.expiresAt());
    return body;
  }
}
