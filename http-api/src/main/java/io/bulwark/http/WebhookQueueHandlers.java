package io.bulwark.http;

import io.bulwark.audit.AuditAction;
import io.bulwark.webhooks.WebhookEndpoints;
import io.bulwark.webhooks.WebhookEndpoints.Delivery;
import io.bulwark.webhooks.WebhookEndpoints.DeliveryPage;
import io.bulwark.webhooks.WebhookEndpoints.Recovery;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.Location;

/**
 * The operator side of a tenant's webhooks, for its admins and operators (and the platform key):
 * what was sent to an endpoint, and sending it again. Putting deliveries back is audited; the
 * queues' order does the rest, since only the head of each (endpoint, account) queue is ever sent.
 */
final class WebhookQueueHandlers {
  private static final Pattern RECOVERY_ID = Pattern.compile("^wr_[0-9a-f]{24}$");

  private final WebhookEndpoints webhooks;
  private final Auditor auditor;

  WebhookQueueHandlers(WebhookEndpoints webhooks, Auditor auditor) {
    this.webhooks = webhooks;
    this.auditor = auditor;
  }

  CompletionStage<HttpResponse> deliveries(
      Call call,
      String tenantId,
      String endpointId,
      Optional<String> state,
      Optional<String> limit,
      Optional<String> cursor) {
    authorize(call, tenantId, endpointId);
    int size = LedgerHandlers.limit(limit);
    state.ifPresent(
        s -> {
          if (!WebhookEndpoints.STATES.contains(s)) {
            throw ApiException.invalid(
                "state", "'state' is one of pending, parked, delivered and dead.");
          }
        });
    return webhooks
        .deliveries(tenantId, endpointId, state, size, cursor)
        .thenApply(WebhookQueueHandlers::page);
  }

  /** The dead letters oldest first: the order a replay sends them in. */
  CompletionStage<HttpResponse> deadLetters(
      Call call,
      String tenantId,
      String endpointId,
      Optional<String> limit,
      Optional<String> cursor) {
    authorize(call, tenantId, endpointId);
    int size = LedgerHandlers.limit(limit);
    return webhooks
        .deadLetters(tenantId, endpointId, size, cursor)
        .thenApply(WebhookQueueHandlers::page);
  }

  CompletionStage<HttpResponse> resend(
      Call call, String tenantId, String endpointId, String webhookId) {
    authorize(call, tenantId, endpointId);
    var response =
        webhooks
            .resend(tenantId, endpointId, webhookId)
            .thenApply(
                resent -> Json.response(202, view(resent.orElseThrow(ApiException::notFound))));
    return auditor.after(
        response,
        call,
        tenantId,
        AuditAction.WEBHOOK_DELIVERY_RESENT,
        WebhookHandlers.target(endpointId),
        Map.of("webhookId", webhookId));
  }

  /** Every dead letter back to pending; what they parked follows them, in order. */
  CompletionStage<HttpResponse> replay(Call call, String tenantId, String endpointId) {
    authorize(call, tenantId, endpointId);
    return webhooks
        .replay(tenantId, endpointId)
        .thenCompose(
            replayed -> {
              long n = replayed.orElseThrow(ApiException::notFound);
              return auditor.after(
                  CompletableFuture.completedFuture(Json.response(202, Map.of("replayed", n))),
                  call,
                  tenantId,
                  AuditAction.WEBHOOK_REPLAYED,
                  WebhookHandlers.target(endpointId),
                  Map.of("replayed", n));
            });
  }

  /** Starts a recover job; any node's dispatcher works it, and its progress is read by GET. */
  CompletionStage<HttpResponse> recover(
      Call call, String tenantId, String endpointId, JsonBody body) {
    authorize(call, tenantId, endpointId);
    Instant since = body.requiredTime("since");
    return webhooks
        .startRecovery(tenantId, endpointId, since)
        .thenCompose(
            started -> {
              Recovery job = started.orElseThrow(ApiException::notFound);
              var response =
                  Json.response(
                      202,
                      view(job),
                      List.of(Location.create(Paths.recovery(tenantId, endpointId, job.id()))));
              return auditor.after(
                  CompletableFuture.completedFuture(response),
                  call,
                  tenantId,
                  AuditAction.WEBHOOK_RECOVERY_STARTED,
                  WebhookHandlers.target(endpointId),
                  Map.of("recoveryId", job.id(), "since", since.toString()));
            });
  }

  CompletionStage<HttpResponse> recovery(
      Call call, String tenantId, String endpointId, String recoveryId) {
    authorize(call, tenantId, endpointId);
    if (!RECOVERY_ID.matcher(recoveryId).matches()) {
      throw new ApiException(400, "invalid_id", "'recoveryId' is not a recovery id.", "recoveryId");
    }
    return webhooks
        .recovery(tenantId, endpointId, recoveryId)
        .thenApply(job -> Json.response(200, view(job.orElseThrow(ApiException::notFound))));
  }

  private static void authorize(Call call, String tenantId, String endpointId) {
    Access.platformOrOperator(call.principal(), tenantId);
    WebhookHandlers.checkedEndpointId(endpointId);
  }

  private static HttpResponse page(Optional<DeliveryPage> found) {
    DeliveryPage page = found.orElseThrow(ApiException::notFound);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("items", page.items().stream().map(WebhookQueueHandlers::view).toList());
    body.put("nextCursor", page.nextCursor());
    return Json.response(200, body);
  }

  private static Map<String, Object> view(Delivery d) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("webhookId", d.webhookId());
    json.put("seq", d.seq());
    json.put("eventType", d.eventType());
    json.put("accountId", d.accountId());
    json.put("state", d.state());
    json.put("attempts", d.attempts());
    json.put("nextAttemptAt", d.nextAttemptAt());
    json.put("lastAttemptAt", d.lastAttemptAt());
    json.put("lastStatus", d.lastStatus());
    json.put("lastError", d.lastError());
    json.put("deliveredAt", d.deliveredAt());
    json.put("deadAt", d.deadAt());
    json.put("createdAt", d.createdAt());
    return json;
  }

  private static Map<String, Object> view(Recovery job) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("id", job.id());
    json.put("endpointId", job.endpointId());
    json.put("state", job.state());
    json.put("total", job.total());
    json.put("done", job.done());
    json.put("since", job.since());
    json.put("createdAt", job.createdAt());
    json.put("finishedAt", job.finishedAt());
    return json;
  }
}
