package io.bulwark.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.RequestContext;
import org.apache.pekko.http.javadsl.server.Route;

/** Tenant administration: API keys, rate limits, and the audit log (tenants' and platform's). */
final class AdminRoutes extends RouteKit {
  private final TenantHandlers tenants;
  private final AuditHandlers audit;

  AdminRoutes(TenantHandlers tenants, AuditHandlers audit, long maxBodyBytes) {
    super(maxBodyBytes);
    this.tenants = tenants;
    this.audit = audit;
  }

  /**
   * A JSON body for the platform key or an admin of {@code tenantId}, checked before it is read.
   */
  private Route asAdmin(
      RequestContext rc,
      Call call,
      String tenantId,
      Function<JsonBody, CompletionStage<HttpResponse>> handler) {
    return withBody(rc, call, () -> Access.platformOrAdmin(call.principal(), tenantId), handler);
  }

  /** Under /v1/tenants/{tenantId}/api-keys. */
  Route apiKeys(RequestContext rc, Call call, String tenantId) {
    return concat(
        pathEnd(
            () ->
                concat(
                    post(
                        () ->
                            asAdmin(
                                rc,
                                call,
                                tenantId,
                                body -> tenants.createKey(call, tenantId, body))),
                    get(() -> respond(call, () -> tenants.listKeys(call, tenantId))),
                    methodNotAllowed(call, "GET, POST"))),
        path(
            segment().slash("rotate"),
            keyId ->
                concat(
                    post(
                        () ->
                            asAdmin(
                                rc,
                                call,
                                tenantId,
                                body -> tenants.rotateKey(call, tenantId, keyId, body))),
                    methodNotAllowed(call, "POST"))),
        path(
            segment(),
            keyId ->
                concat(
                    delete(() -> respond(call, () -> tenants.revokeKey(call, tenantId, keyId))),
                    patch(
                        () ->
                            asAdmin(
                                rc,
                                call,
                                tenantId,
                                body -> tenants.changeKeyRoles(call, tenantId, keyId, body))),
                    methodNotAllowed(call, "DELETE, PATCH"))));
  }

  /** A tenant's audit chain, or with {@code AuditEvent.PLATFORM_CHAIN} the platform's. */
  Route auditEvents(Call call, String chain) {
    return concat(
        pathEnd(
            () ->
                concat(
                    get(
                        () ->
                            parameterOptional(
                                "action",
                                action ->
                                    paged(
                                        call,
                                        (limit, cursor) ->
                                            audit.list(call, chain, action, limit, cursor)))),
                    methodNotAllowed(call, "GET"))),
        path(
            "verification",
            () ->
                concat(
                    get(() -> respond(call, () -> audit.verify(call, chain))),
                    methodNotAllowed(call, "GET"))));
  }

  Route limits(RequestContext rc, Call call, String tenantId) {
    return concat(
        get(() -> respond(call, () -> tenants.getLimits(call, tenantId))),
        put(
            () ->
                withBody(
                    rc,
                    call,
                    () -> Access.platformFor(call.principal(), tenantId),
                    body -> tenants.setLimits(call, tenantId, body))),
        delete(() -> respond(call, () -> tenants.clearLimits(call, tenantId))),
        methodNotAllowed(call, "DELETE, GET, PUT"));
  }
}
