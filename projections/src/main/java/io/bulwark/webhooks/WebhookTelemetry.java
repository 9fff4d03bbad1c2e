package io.bulwark.webhooks;

import io.bulwark.domain.placement.TenantPlacement;
import java.time.Duration;
import java.util.Map;
import kamon.Kamon;
import kamon.metric.Metric;

/**
 * Webhook metrics. The endpoint class is the tenant's tier (BULWARK_TENANT_TIERS; "shared" for the
 * rest): bounded by configuration, never by the number of tenants or endpoints.
 */
final class WebhookTelemetry {
  private static final Metric.Counter ATTEMPTS =
      Kamon.counter("bulwark.webhook.attempts", "Webhook delivery attempts, by outcome");
  private static final Metric.Timer ATTEMPT_TIME =
      Kamon.timer("bulwark.webhook.attempt.duration", "From sending an attempt to its outcome");
  private static final Metric.Timer LATENCY =
      Kamon.timer(
          "bulwark.webhook.delivery.latency",
          "From the event's commit to its delivery's success (retries included)");
  private static final Metric.Counter DEAD_LETTERED =
      Kamon.counter(
          "bulwark.webhook.dead_lettered", "Deliveries that spent their schedule (dead letters)");
  private static final Metric.Gauge DEAD_LETTERS =
      Kamon.gauge("bulwark.webhook.dead_letters", "Dead letters waiting for a resend or replay");
  private static final Metric.Gauge IN_FLIGHT =
      Kamon.gauge("bulwark.webhook.in_flight", "Webhook attempts in flight on this node");
  private static final Metric.Counter BREAKER_OPENED =
      Kamon.counter("bulwark.webhook.breaker.opened", "Endpoint circuit breakers that opened");

  private static final Metric.Counter GAP_EVENTS =
      Kamon.counter(
          "bulwark.webhook.gap_events",
          "Webhook events the projection skipped (late journal commits) found by the gap check");

  private final TenantPlacement placement;
  private final java.util.Set<String> seenClasses =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  WebhookTelemetry(TenantPlacement placement) {
    this.placement = placement;
  }

  String endpointClass(String tenantId) {
    return placement.tierOf(tenantId).orElse("shared");
  }

  void attempt(String tenantId, Attempt attempt, long nanos) {
    String cls = endpointClass(tenantId);
    ATTEMPTS
        .withTag("outcome", attempt.outcome().label())
        .withTag("endpoint_class", cls)
        .increment();
    ATTEMPT_TIME.withTag("outcome", attempt.outcome().label()).record(nanos);
  }

  void delivered(String tenantId, String eventType, Duration sinceEvent) {
    LATENCY
        .withTag("event_type", eventType)
        .withTag("endpoint_class", endpointClass(tenantId))
        .record(Math.max(0, sinceEvent.toNanos()));
  }

  void deadLettered(String tenantId) {
    DEAD_LETTERED.withTag("endpoint_class", endpointClass(tenantId)).increment();
  }

  static void gapEventsFound(int events) {
    GAP_EVENTS.withoutTags().increment(events);
  }

  void breakerOpened() {
    BREAKER_OPENED.withoutTags().increment();
  }

  void inFlight(int n) {
    IN_FLIGHT.withoutTags().update(n);
  }

  /** Dead letters per tenant, summed into their classes; a class emptied since shows 0. */
  void deadLetters(Map<String, Long> byTenant) {
    var byClass = new java.util.HashMap<String, Long>();
    seenClasses.forEach(cls -> byClass.put(cls, 0L));
    byClass.putIfAbsent("shared", 0L);
    byTenant.forEach((tenant, n) -> byClass.merge(endpointClass(tenant), n, Long::sum));
    seenClasses.addAll(byClass.keySet());
    byClass.forEach((cls, n) -> DEAD_LETTERS.withTag("endpoint_class", cls).update(n));
  }
}
