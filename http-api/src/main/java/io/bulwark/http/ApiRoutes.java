package io.bulwark.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.bulwark.audit.AuditEvent;
import io.bulwark.audit.AuditReader;
import io.bulwark.audit.AuditTrail;
import io.bulwark.http.auth.Authentication;
import io.bulwark.http.auth.Authenticator;
import io.bulwark.http.limits.Protection;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.RequestContext;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The v1 route tree. Cross-cutting rules live here: the request id on every response, traffic
 * protection ({@link Guards}), authentication, the request's deadline, content type and size of
 * bodies, 404 and 405 as problem+json. Handlers only ever return a response or fail; every failure
 * is mapped by {@link Problems}.
 */
public final class ApiRoutes extends RouteKit {
  private final Authenticator authenticator;
  private final TenantHandlers tenants;
  private final AdminRoutes admin;
  private final WebhookRoutes webhooks;
  private final OperationsHandlers operations;
  private final Auditor auditor;
  private final LedgerHandlers ledger;
  private final BatchTransfers batch;
  private final Guards guards;
  private final Duration requestDeadline;
  private final HttpTelemetry telemetry;
  private final EdgeHeaders edge;

  public ApiRoutes(
      Authenticator authenticator,
      EntityGateway entities,
      io.bulwark.readmodel.ReadModelQueries queries,
      io.bulwark.http.auth.KeyRevocations revocations,
      HttpSettings settings,
      Protection protection,
      AuditTrail auditTrail,
      AuditReader auditReader,
      io.bulwark.webhooks.WebhookEndpoints webhooks,
      ReadModelOperations operations) {
    super(settings.maxBodyBytes());
    this.authenticator = authenticator;
    this.auditor = new Auditor(auditTrail);
    this.tenants =
        new TenantHandlers(entities, revocations, protection.settings().tenantDefaults(), auditor);
    this.ledger = new LedgerHandlers(entities, queries, settings.transferWait(), auditor);
    this.admin =
        new AdminRoutes(tenants, new AuditHandlers(auditReader, auditor), settings.maxBodyBytes());
    this.webhooks =
        new WebhookRoutes(webhooks, auditor, authenticator::tenantExists, settings.maxBodyBytes());
    this.operations = new OperationsHandlers(operations, auditor);
    this.guards = new Guards(protection);
    this.batch =
        new BatchTransfers(
            ledger, protection.limiter(), settings.batch(), settings.requestDeadline());
    this.requestDeadline = settings.requestDeadline();
    this.telemetry = new HttpTelemetry(settings.tenantLabels());
    this.edge = new EdgeHeaders(settings.corsOrigins());
  }

  public Route route() {
    return extractRequestContext(
        rc -> {
          String requestId = RequestIds.resolve(rc.getRequest());
          var scope = RequestScope.begin(rc.getRequest(), requestId);
          Deadline deadline = Deadline.in(requestDeadline);
          var preflight = edge.preflight(rc.getRequest());
          if (preflight.isPresent()) {
            return complete(edge.onto(rc.getRequest(), preflight.get()));
          }
          return mapResponse(
              response -> edge.onto(rc.getRequest(), telemetry.observe(scope, response)),
              () ->
                  respondWithHeader(
                      RawHeader.create(RequestIds.HEADER, requestId),
                      () ->
                          handleExceptions(
                              ExceptionHandler.newBuilder()
                                  .matchAny(e -> complete(Problems.fromThrowable(e, requestId)))
                                  .build(),
                              () ->
                                  withRequestTimeoutResponse(
                                      request -> EdgeRefusals.requestTimeout(requestId),
                                      () -> served(rc, scope, deadline)))));
        });
  }

  /**
   * The URI is held to the character policy before anything else looks at it, the limits keyed by
   * client included: a malformed request is refused alike whoever sends it, and its path never
   * reaches the audit log of failed authentications.
   */
  private Route served(RequestContext rc, RequestScope scope, Deadline deadline) {
    String requestId = scope.requestId;
    try {
      TextPolicy.checkUri(rc.getRequest().getUri(), scope.route);
    } catch (ApiException refused) {
      return complete(Problems.of(refused, requestId));
    }
    return concat(
        pathPrefix(
            "v1",
            () ->
                guards.byClient(
                    rc, requestId, limits -> authenticated(rc, scope, deadline, limits))),
        complete(Problems.of(ApiException.notFound(), requestId)));
  }

  private Route authenticated(
      RequestContext rc, RequestScope scope, Deadline deadline, RequestLimits limits) {
    String requestId = scope.requestId;
    scope.clientIp(limits.clientIp());
    return optionalHeaderValueByName(
        "Authorization",
        header ->
            onSuccess(
                authenticator.authenticate(header),
                authentication -> {
                  var principal = authentication.principalIfAny();
                  if (principal.isEmpty()) {
                    var reason = authentication.failure().reason();
                    if (reason == Authentication.Reason.IDP_UNAVAILABLE) {
                      // Not the caller's fault: no lockout, no audit event, retry later.
                      return complete(
                          Problems.of(
                              new ApiException(
                                  503,
                                  "unavailable",
                                  "The identity provider's signing keys cannot be fetched; retry"
                                      + " later."),
                              requestId));
                    }
                    if (reason != Authentication.Reason.MISSING) {
                      auditor.authenticationFailed(scope, authentication.failure());
                    }
                    guards.authenticationFailed(limits);
                    return complete(
                        Problems.of(
                            new ApiException(
                                401, "unauthenticated", "A valid API key is required."),
                            requestId));
                  }
                  scope.caller(principal.get());
                  var call = new Call(requestId, principal.get(), deadline, scope);
                  return guards.forCaller(
                      rc,
                      call,
                      limits,
                      () -> mapResponse(r -> auditor.deniedIfSo(call, r), () -> v1(rc, call)));
                }));
  }

  private Route v1(RequestContext rc, Call call) {
    return concat(
        pathPrefix("audit-events", () -> admin.auditEvents(call, AuditEvent.PLATFORM_CHAIN)),
        path(
            "projection-dead-letters",
            () ->
                concat(
                    get(
                        () ->
                            parameterOptional(
                                "tenantId",
                                tenantId ->
                                    parameterOptional(
                                        "projection",
                                        projection ->
                                            paged(
                                                call,
                                                (limit, cursor) ->
                                                    operations.list(
                                                        call,
                                                        tenantId,
                                                        projection,
                                                        limit,
                                                        cursor))))),
                    methodNotAllowed(call, "GET"))),
        tenants(rc, call));
  }

  private Route tenants(RequestContext rc, Call call) {
    return pathPrefix(
        "tenants",
        () ->
            concat(
                pathEnd(
                    () ->
                        concat(
                            post(
                                () ->
                                    withBody(
                                        rc,
                                        call,
                                        () -> Access.platformOnly(call.principal()),
                                        body -> tenants.create(call, body))),
                            methodNotAllowed(call, "POST"))),
                pathPrefix(
                    segment(),
                    tenantId ->
                        respondIfInvalid(
                            call,
                            () -> JsonBody.checkedId("tenantId", tenantId),
                            () -> tenant(rc, call, tenantId)))));
  }

  private Route tenant(RequestContext rc, Call call, String tenantId) {
    return concat(
        pathEnd(
            () ->
                concat(
                    get(() -> respond(call, () -> tenants.get(call, tenantId))),
                    methodNotAllowed(call, "GET"))),
        pathPrefix("api-keys", () -> admin.apiKeys(rc, call, tenantId)),
        path("limits", () -> admin.limits(rc, call, tenantId)),
        pathPrefix("audit-events", () -> admin.auditEvents(call, tenantId)),
        pathPrefix("webhooks", () -> webhooks.webhooks(rc, call, tenantId)),
        path(
            segment("projection-dead-letters").slash("replay"),
            () ->
                concat(
                    post(
                        () ->
                            withOptionalBody(
                                rc,
                                call,
                                () -> Access.platformFor(call.principal(), tenantId),
                                body -> operations.replay(call, tenantId, body))),
                    methodNotAllowed(call, "POST"))),
        path(
            "reconciliation",
            () ->
                concat(
                    get(() -> respond(call, () -> operations.reconcile(call, tenantId))),
                    methodNotAllowed(call, "GET"))),
        pathPrefix("accounts", () -> accounts(rc, call, tenantId)),
        path(
            "transfers:batch",
            () ->
                concat(
                    post(
                        () ->
                            respond(
                                call,
                                () ->
                                    CompletableFuture.completedFuture(
                                        batch.upload(rc, call, tenantId)))),
                    methodNotAllowed(call, "POST"))),
        pathPrefix("transfers", () -> transfers(rc, call, tenantId)));
  }

  private Route accounts(RequestContext rc, Call call, String tenantId) {
    return concat(
        pathEnd(
            () ->
                concat(
                    post(
                        () ->
                            withBody(
                                rc,
                                call,
                                () -> Access.writer(call.principal(), tenantId),
                                body -> ledger.openAccount(call, tenantId, body))),
                    get(
                        () ->
                            paged(
                                call,
                                (limit, cursor) ->
                                    ledger.listAccounts(call, tenantId, limit, cursor))),
                    methodNotAllowed(call, "GET, POST"))),
        pathPrefix(
            segment(),
            accountId ->
                concat(
                    pathEnd(
                        () ->
                            concat(
                                get(
                                    () ->
                                        respond(
                                            call,
                                            () -> ledger.getAccount(call, tenantId, accountId))),
                                methodNotAllowed(call, "GET"))),
                    path(
                        "entries",
                        () ->
                            concat(
                                get(
                                    () ->
                                        paged(
                                            call,
                                            (limit, cursor) ->
                                                ledger.listEntries(
                                                    call, tenantId, accountId, limit, cursor))),
                                methodNotAllowed(call, "GET"))))));
  }

  private Route transfers(RequestContext rc, Call call, String tenantId) {
    return concat(
        pathEnd(
            () ->
                concat(
                    post(
                        () ->
                            optionalHeaderValueByName(
                                "Idempotency-Key",
                                key ->
                                    withBody(
                                        rc,
                                        call,
                                        () -> Access.writer(call.principal(), tenantId),
                                        body -> ledger.createTransfer(call, tenantId, key, body)))),
                    get(
                        () ->
                            parameterOptional(
                                "status",
                                status ->
                                    paged(
                                        call,
                                        (limit, cursor) ->
                                            ledger.listTransfers(
                                                call, tenantId, status, limit, cursor)))),
                    methodNotAllowed(call, "GET, POST"))),
        path(
            segment(),
            transferId ->
                concat(
                    get(() -> respond(call, () -> ledger.getTransfer(call, tenantId, transferId))),
                    methodNotAllowed(call, "GET"))));
  }
}
