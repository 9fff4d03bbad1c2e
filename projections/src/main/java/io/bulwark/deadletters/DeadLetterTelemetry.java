package io.bulwark.deadletters;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import kamon.Kamon;
import kamon.metric.Metric;

/**
 * Dead letters as operators see them: events parked as they happen, and the events parked now per
 * projection and tenant (sampled from the table by {@link DeadLetterGauge}). Only tenants with
 * parked events have a series, at most {@link #MAX_TENANTS} of them by count; the rest are summed
 * under {@code other}, so a flood of poison cannot flood Prometheus.
 */
final class DeadLetterTelemetry {
  static final int MAX_TENANTS = 20;

  private static final Metric.Counter PARKED =
      Kamon.counter(
          "bulwark.projection.parked",
          "Events a projection parked: reason failed (the event failed) or behind (waits for one)");
  private static final Metric.Gauge DEAD_LETTERS =
      Kamon.gauge(
          "bulwark.projection.dead_letters",
          "Events parked now, by projection and tenant, waiting for a replay");

  private static final Object LOCK = new Object();
  private static final Set<Map.Entry<String, String>> shown = new HashSet<>();

  private final String projection;

  DeadLetterTelemetry(String projection) {
    this.projection = projection;
  }

  void parked(String tenantId, boolean failed) {
    PARKED
        .withTag("projection", projection)
        .withTag("reason", failed ? "failed" : "behind")
        .increment();
  }

  /**
   * Sets the gauge from a count per projection and tenant; a series shown before and empty now goes
   * to 0 rather than vanishing, so an alert on it resolves.
   */
  static void sample(Map<String, Map<String, Long>> byProjectionAndTenant) {
    synchronized (LOCK) {
      var values = new HashMap<Map.Entry<String, String>, Long>();
      shown.forEach(series -> values.put(series, 0L));
      byProjectionAndTenant.forEach(
          (projection, byTenant) -> {
            var top =
                byTenant.entrySet().stream()
                    .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .toList();
            for (int i = 0; i < top.size(); i++) {
              String tenant = i < MAX_TENANTS ? top.get(i).getKey() : "other";
              values.merge(Map.entry(projection, tenant), top.get(i).getValue(), Long::sum);
            }
          });
      values.forEach(
          (series, n) ->
              DEAD_LETTERS
                  .withTag("projection", series.getKey())
                  .withTag("tenant", series.getValue())
                  .update(n));
      shown.addAll(values.keySet());
    }
  }
}
