package io.bulwark.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.bulwark.audit.AuditEvent;
import io.bulwark.audit.AuditReader;
import io.bulwark.audit.AuditTrail;
import io.bulwark.domain.Stages;
import io.bulwark.http.auth.Authentication;
import io.bulwark.http.auth.Authenticator;
import io.bulwark.http.limits.Protection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.RequestContext;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The v1 route tree. Cross-cutting rules live here: the request id on every response, traffic
 * protection ({@link Guards}), authentication, the request's deadline, content type and size of
 * bodies, 404 and 405 as problem+json. Handlers only ever return a response or fail; every failure
 * is mapped by {@link Problems}.
 */
public final class ApiRoutes extends AllDirectives {
  private final Authenticator authenticator;
  private final TenantHandlers tenants;
  private final Auditor auditor;
  private final AuditHandlers audit;
  private final LedgerHandlers ledger;
  private final BatchTransfers batch;
  private final Guards guards;
  private final long maxBodyBytes;
  private final Duration requestDeadline;
  private static final Duration BODY_READ_TIMEOUT = Duration.ofSeconds(10);
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
      AuditReader auditReader) {
    this.authenticator = authenticator;
    this.auditor = new Auditor(auditTrail);
    this.tenants =
        new TenantHandlers(entities, revocations, protection.settings().tenantDefaults(), auditor);
    this.ledger = new LedgerHandlers(entities, queries, settings.transferWait(), auditor);
    this.audit = new AuditHandlers(auditReader, auditor);
    this.guards = new Guards(protection);
    this.batch =
        new BatchTransfers(
            ledger, protection.limiter(), settings.batch(), settings.requestDeadline());
    this.maxBodyBytes = settings.maxBodyBytes();
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
                                  concat(
                                      pathPrefix(
                                          "v1",
                                          () ->
                                              guards.byClient(
                                                  rc,
                                                  requestId,
                                                  limits ->
                                                      authenticated(rc, scope, deadline, limits))),
                                      complete(Problems.of(ApiException.notFound(), requestId))))));
        });
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
        pathPrefix("audit-events", () -> auditEvents(call, AuditEvent.PLATFORM_CHAIN)),
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
                pathPrefix(segment(), tenantId -> tenant(rc, call, tenantId))));
  }

  private Route tenant(RequestContext rc, Call call, String tenantId) {
    return concat(
        pathEnd(
            () ->
                concat(
                    get(() -> respond(call, () -> tenants.get(call, tenantId))),
                    methodNotAllowed(call, "GET"))),
        pathPrefix(
            "api-keys",
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
                                            () ->
                                                Access.platformOrAdmin(call.principal(), tenantId),
                                            body -> tenants.createKey(call, tenantId, body))),
                                get(() -> respond(call, () -> tenants.listKeys(call, tenantId))),
                                methodNotAllowed(call, "GET, POST"))),
                    path(
                        segment().slash("rotate"),
                        keyId ->
                            concat(
                                post(
                                    () ->
                                        withBody(
                                            rc,
                                            call,
                                            () ->
                                                Access.platformOrAdmin(call.principal(), tenantId),
                                            body ->
                                                tenants.rotateKey(call, tenantId, keyId, body))),
                                methodNotAllowed(call, "POST"))),
                    path(
                        segment(),
                        keyId ->
                            concat(
                                delete(
                                    () ->
                                        respond(
                                            call, () -> tenants.revokeKey(call, tenantId, keyId))),
                                patch(
                                    () ->
                                        withBody(
                                            rc,
                                            call,
                                            () ->
                                                Access.platformOrAdmin(call.principal(), tenantId),
                                            body ->
                                                tenants.changeKeyRoles(
                                                    call, tenantId, keyId, body))),
                                methodNotAllowed(call, "DELETE, PATCH"))))),
        path("limits", () -> limits(rc, call, tenantId)),
        pathPrefix("audit-events", () -> auditEvents(call, tenantId)),
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

  /** A tenant's audit chain, or with {@code AuditEvent.PLATFORM_CHAIN} the platform's. */
  private Route auditEvents(Call call, String chain) {
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

  private Route limits(RequestContext rc, Call call, String tenantId) {
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

  private Route methodNotAllowed(Call call, String allow) {
    return complete(
        Problems.of(
                405,
                "method_not_allowed",
                "This resource allows " + allow + ".",
                null,
                call.requestId(),
                Map.of())
            .addHeader(RawHeader.create("Allow", allow)));
  }

  /** A list: its {@code limit} and {@code cursor} query parameters, checked by the handler. */
  private Route paged(
      Call call,
      BiFunction<Optional<String>, Optional<String>, CompletionStage<HttpResponse>> handler) {
    return parameterOptional(
        "limit",
        limit ->
            parameterOptional(
                "cursor", cursor -> respond(call, () -> handler.apply(limit, cursor))));
  }

  /** Runs a handler; a synchronous throw and a failed stage are mapped alike. */
  private Route respond(Call call, Supplier<CompletionStage<HttpResponse>> handler) {
    CompletionStage<HttpResponse> stage;
    try {
      stage = handler.get();
    } catch (RuntimeException e) {
      stage = CompletableFuture.failedFuture(e);
    }
    return onSuccess(
        stage.exceptionally(e -> Problems.fromThrowable(e, call.requestId())), this::complete);
  }

  /**
   * Reads a JSON body: application/json in UTF-8 only (415), at most the configured size (413),
   * then hands the parsed object to the handler. Who may call is decided before the body is read,
   * so a caller without the right sees 403 or 404 whatever it sent.
   */
  private Route withBody(
      RequestContext rc,
      Call call,
      Runnable authorize,
      Function<JsonBody, CompletionStage<HttpResponse>> handler) {
    return respond(
        call,
        () -> {
          authorize.run();
          var entity = rc.getRequest().entity();
          var contentType = entity.getContentType();
          boolean json = contentType.mediaType().equals(MediaTypes.APPLICATION_JSON);
          boolean utf8 =
              contentType.getCharsetOption().map(c -> c.equals(HttpCharsets.UTF_8)).orElse(true);
          if (!json || !utf8) {
            entity.discardBytes(rc.getMaterializer());
            throw new ApiException(
                415, "unsupported_media_type", "Request bodies must be application/json (UTF-8).");
          }
          if (entity.getContentLengthOption().orElse(0L) > maxBodyBytes) {
            entity.discardBytes(rc.getMaterializer());
            throw new ApiException(
                413, "payload_too_large", "The request body is larger than 64 KiB.");
          }
          // A small body usually arrives whole: use it as it is rather than run a stream for it.
          CompletionStage<HttpEntity.Strict> body =
              entity instanceof HttpEntity.Strict whole
                  ? CompletableFuture.completedFuture(whole)
                  : Stages.direct(
                      entity.toStrict(
                          BODY_READ_TIMEOUT.toMillis(), maxBodyBytes, rc.getMaterializer()));
          return body.thenCompose(
              strict ->
                  handler.apply(
                      JsonBody.parse(strict.getData().decodeString(StandardCharsets.UTF_8))));
        });
  }
}
