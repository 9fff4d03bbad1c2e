package io.bulwark.http;

import io.bulwark.audit.AuditAction;
import io.bulwark.webhooks.EventType;
import io.bulwark.webhooks.TargetPolicy;
import io.bulwark.webhooks.WebhookEndpoints;
import io.bulwark.webhooks.WebhookEndpoints.Endpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Location;

/**
 * A tenant's webhook endpoints: made, changed and removed by its admins (or the platform key), with
 * every change audited. A secret is in exactly two responses, the creation's and the rotation's,
 * and never in an audit event or a log line. The operator side is {@link WebhookQueueHandlers}.
 */
final class WebhookHandlers {
  private static final Pattern ENDPOINT_ID = Pattern.compile("^we_[0-9a-f]{24}$");
  private static final int DEFAULT_OVERLAP_SECONDS = 86_400;
  private static final int MAX_OVERLAP_SECONDS = 7 * 86_400;

  private final WebhookEndpoints webhooks;
  private final Auditor auditor;
  private final java.util.function.Function<String, CompletionStage<Boolean>> tenantExists;

  WebhookHandlers(
      WebhookEndpoints webhooks,
      Auditor auditor,
      java.util.function.Function<String, CompletionStage<Boolean>> tenantExists) {
    this.webhooks = webhooks;
    this.auditor = auditor;
    this.tenantExists = tenantExists;
  }

  CompletionStage<HttpResponse> create(Call call, String tenantId, JsonBody body) {
    Access.platformOrAdmin(call.principal(), tenantId);
    String url = body.requiredString("url", TargetPolicy.MAX_URL_LENGTH);
    List<EventType> events = events(body.requiredStringArray("events"));
    // a tenant key proves its tenant; the platform key names any id, so it must name a tenant
    CompletionStage<Boolean> exists =
        call.principal().platform()
            ? tenantExists.apply(tenantId)
            : CompletableFuture.completedFuture(true);
    return exists
        .thenCompose(
            known -> {
              if (!known) {
                throw ApiException.notFound();
              }
              return webhooks.create(tenantId, url, events);
            })
        .thenCompose(
            created -> {
              Endpoint endpoint = created.endpoint();
              Map<String, Object> json = view(endpoint);
              json.put("secret", created.secret());
              var response =
                  Json.response(
                      201, json, List.of(Location.create(Paths.webhook(tenantId, endpoint.id()))));
              return auditor.after(
                  CompletableFuture.completedFuture(response),
                  call,
                  tenantId,
                  AuditAction.WEBHOOK_CREATED,
                  target(endpoint.id()),
                  settings(endpoint));
            });
  }

  CompletionStage<HttpResponse> list(Call call, String tenantId) {
    Access.platformOrAdmin(call.principal(), tenantId);
    return webhooks
        .list(tenantId)
        .thenApply(
            endpoints -> {
              Map<String, Object> page = new LinkedHashMap<>();
              page.put("items", endpoints.stream().map(WebhookHandlers::view).toList());
              page.put("nextCursor", null);
              return Json.response(200, page);
            });
  }

  CompletionStage<HttpResponse> get(Call call, String tenantId, String endpointId) {
    Access.platformOrAdmin(call.principal(), tenantId);
    checkedEndpointId(endpointId);
    return webhooks
        .get(tenantId, endpointId)
        .thenApply(found -> Json.response(200, view(found.orElseThrow(ApiException::notFound))));
  }

  /** Changes any of url, events and enabled; a new URL is checked as at creation. */
  CompletionStage<HttpResponse> update(
      Call call, String tenantId, String endpointId, JsonBody body) {
    Access.platformOrAdmin(call.principal(), tenantId);
    checkedEndpointId(endpointId);
    var url = Optional.ofNullable(body.optionalString("url", TargetPolicy.MAX_URL_LENGTH));
    Optional<List<EventType>> events =
        body.has("events")
            ? Optional.of(events(body.requiredStringArray("events")))
            : Optional.empty();
    var enabled = Optional.ofNullable(body.optionalBoolean("enabled"));
    if (url.isEmpty() && events.isEmpty() && enabled.isEmpty()) {
      throw ApiException.invalid(null, "Give at least one of 'url', 'events' and 'enabled'.");
    }
    return webhooks
        .update(tenantId, endpointId, url, events, enabled)
        .thenCompose(
            changed -> {
              Endpoint endpoint = changed.orElseThrow(ApiException::notFound);
              Map<String, Object> details = new LinkedHashMap<>();
              url.ifPresent(u -> details.put("url", endpoint.url()));
              events.ifPresent(e -> details.put("events", names(endpoint.events())));
              enabled.ifPresent(on -> details.put("enabled", on));
              return auditor.after(
                  CompletableFuture.completedFuture(Json.response(200, view(endpoint))),
                  call,
                  tenantId,
                  AuditAction.WEBHOOK_UPDATED,
                  target(endpointId),
                  details);
            });
  }

  /** Removes the endpoint with its queue of deliveries. */
  CompletionStage<HttpResponse> delete(Call call, String tenantId, String endpointId) {
    Access.platformOrAdmin(call.principal(), tenantId);
    checkedEndpointId(endpointId);
    var response =
        webhooks
            .delete(tenantId, endpointId)
            .thenApply(
                deleted -> {
                  if (!deleted) {
                    throw ApiException.notFound();
                  }
                  return HttpResponse.create().withStatus(StatusCodes.NO_CONTENT);
                });
    return auditor.after(
        response, call, tenantId, AuditAction.WEBHOOK_DELETED, target(endpointId), Map.of());
  }

  /**
   * A new secret; the old one keeps signing too for {@code overlapSeconds} (default a day), so
   * receivers can switch to the new one without rejecting a delivery.
   */
  CompletionStage<HttpResponse> rotateSecret(
      Call call, String tenantId, String endpointId, JsonBody body) {
    Access.platformOrAdmin(call.principal(), tenantId);
    checkedEndpointId(endpointId);
    int overlap =
        body.optionalInt("overlapSeconds", 0, MAX_OVERLAP_SECONDS, DEFAULT_OVERLAP_SECONDS);
    var response =
        webhooks
            .rotateSecret(tenantId, endpointId, Duration.ofSeconds(overlap))
            .thenApply(
                rotated -> {
                  var r = rotated.orElseThrow(ApiException::notFound);
                  Map<String, Object> json = new LinkedHashMap<>();
                  json.put("id", r.endpoint().id());
                  json.put("secret", r.secret());
                  json.put("previousSecretExpiresAt", r.endpoint().previousSecretExpiresAt());
                  return Json.response(200, json);
                });
    return auditor.after(
        response,
        call,
        tenantId,
        AuditAction.WEBHOOK_SECRET_ROTATED,
        target(endpointId),
        Map.of("overlapSeconds", overlap));
  }

  static String target(String endpointId) {
    return "webhook:" + endpointId;
  }

  static void checkedEndpointId(String endpointId) {
    if (!ENDPOINT_ID.matcher(endpointId).matches()) {
      throw new ApiException(
          400, "invalid_id", "'endpointId' is not a webhook endpoint id.", "endpointId");
    }
  }

  private static List<EventType> events(List<String> names) {
    if (names.isEmpty()) {
      throw ApiException.invalid("events", "'events' must name at least one event type.");
    }
    List<EventType> events = new ArrayList<>();
    for (String name : names) {
      EventType type =
          EventType.parse(name)
              .orElseThrow(
                  () ->
                      new ApiException(
                          400,
                          "invalid_event_type",
                          "Event types are "
                              + String.join(", ", names(List.of(EventType.values())))
                              + "; '"
                              + name
                              + "' is none of them.",
                          "events"));
      if (events.contains(type)) {
        throw ApiException.invalid("events", "'events' names '" + name + "' twice.");
      }
      events.add(type);
    }
    return List.copyOf(events);
  }

  private static List<String> names(List<EventType> events) {
    return events.stream().map(EventType::wireName).toList();
  }

  /** What an audit event says of an endpoint: never its secret. */
  private static Map<String, Object> settings(Endpoint endpoint) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("url", endpoint.url());
    details.put("events", names(endpoint.events()));
    details.put("enabled", endpoint.enabled());
    return details;
  }

  static Map<String, Object> view(Endpoint endpoint) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("id", endpoint.id());
    json.put("url", endpoint.url());
    json.put("events", names(endpoint.events()));
    json.put("enabled", endpoint.enabled());
    json.put("disabledReason", endpoint.disabledReason());
    json.put("createdAt", endpoint.createdAt());
    json.put("updatedAt", endpoint.updatedAt());
    json.put("previousSecretExpiresAt", endpoint.previousSecretExpiresAt());
    return json;
  }
}
