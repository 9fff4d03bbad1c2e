package io.bulwark.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.bulwark.webhooks.WebhookEndpoints;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.server.RequestContext;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Under /v1/tenants/{tenantId}/webhooks: the endpoints, for admins, and their queues, for admins
 * and operators. Who may call is checked before a body is read, as everywhere.
 */
final class WebhookRoutes extends RouteKit {
  private final WebhookHandlers endpoints;
  private final WebhookQueueHandlers queues;

  WebhookRoutes(
      WebhookEndpoints webhooks,
      Auditor auditor,
      java.util.function.Function<String, CompletionStage<Boolean>> tenantExists,
      long maxBodyBytes) {
    super(maxBodyBytes);
    this.endpoints = new WebhookHandlers(webhooks, auditor, tenantExists);
    this.queues = new WebhookQueueHandlers(webhooks, auditor);
  }

  Route webhooks(RequestContext rc, Call call, String tenantId) {
    Runnable admin = () -> Access.platformOrAdmin(call.principal(), tenantId);
    return concat(
        pathEnd(
            () ->
                concat(
                    post(
                        () ->
                            withBody(
                                rc, call, admin, body -> endpoints.create(call, tenantId, body))),
                    get(() -> respond(call, () -> endpoints.list(call, tenantId))),
                    methodNotAllowed(call, "GET, POST"))),
        pathPrefix(
            segment(),
            endpointId ->
                concat(
                    endpoint(rc, call, tenantId, endpointId, admin),
                    queues(rc, call, tenantId, endpointId))));
  }

  private Route endpoint(
      RequestContext rc, Call call, String tenantId, String endpointId, Runnable admin) {
    return concat(
        pathEnd(
            () ->
                concat(
                    get(() -> respond(call, () -> endpoints.get(call, tenantId, endpointId))),
                    patch(
                        () ->
                            withBody(
                                rc,
                                call,
                                admin,
                                body -> endpoints.update(call, tenantId, endpointId, body))),
                    delete(() -> respond(call, () -> endpoints.delete(call, tenantId, endpointId))),
                    methodNotAllowed(call, "DELETE, GET, PATCH"))),
        path(
            "rotate-secret",
            () ->
                concat(
                    post(
                        () ->
                            withOptionalBody(
                                rc,
                                call,
                                admin,
                                body -> endpoints.rotateSecret(call, tenantId, endpointId, body))),
                    methodNotAllowed(call, "POST"))));
  }

  private Route queues(RequestContext rc, Call call, String tenantId, String endpointId) {
    return concat(
        pathPrefix(
            "deliveries",
            () ->
                concat(
                    pathEnd(
                        () ->
                            concat(
                                get(
                                    () ->
                                        parameterOptional(
                                            "state",
                                            state ->
                                                paged(
                                                    call,
                                                    (limit, cursor) ->
                                                        queues.deliveries(
                                                            call,
                                                            tenantId,
                                                            endpointId,
                                                            state,
                                                            limit,
                                                            cursor)))),
                                methodNotAllowed(call, "GET"))),
                    path(
                        segment().slash("resend"),
                        webhookId ->
                            concat(
                                post(
                                    () ->
                                        respond(
                                            call,
                                            () ->
                                                queues.resend(
                                                    call, tenantId, endpointId, webhookId))),
                                methodNotAllowed(call, "POST"))))),
        path(
            "dead-letters",
            () ->
                concat(
                    get(
                        () ->
                            paged(
                                call,
                                (limit, cursor) ->
                                    queues.deadLetters(call, tenantId, endpointId, limit, cursor))),
                    methodNotAllowed(call, "GET"))),
        path(
            "replay",
            () ->
                concat(
                    post(() -> respond(call, () -> queues.replay(call, tenantId, endpointId))),
                    methodNotAllowed(call, "POST"))),
        path(
            "recover",
            () ->
                concat(
                    post(
                        () ->
                            withBody(
                                rc,
                                call,
                                () -> Access.platformOrOperator(call.principal(), tenantId),
                                body -> queues.recover(call, tenantId, endpointId, body))),
                    methodNotAllowed(call, "POST"))),
        path(
            segment("recoveries").slash(segment()),
            recoveryId ->
                concat(
                    get(
                        () ->
                            respond(
                                call,
                                () -> queues.recovery(call, tenantId, endpointId, recoveryId))),
                    methodNotAllowed(call, "GET"))));
  }
}
