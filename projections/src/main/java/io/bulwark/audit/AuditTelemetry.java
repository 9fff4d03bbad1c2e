package io.bulwark.audit;

import kamon.Kamon;
import kamon.metric.Metric;

/** The audit log's metrics: events appended by action and outcome, and events not stored. */
final class AuditTelemetry {
  private static final Metric.Counter WRITTEN =
      Kamon.counter("bulwark.audit.events", "Audit events appended to their chains");
  private static final Metric.Counter FAILED =
      Kamon.counter(
          "bulwark.audit.write.failures", "Audit events that could not be appended, by cause");

  private AuditTelemetry() {}

  static void appended(AuditEvent event) {
    WRITTEN
        .withTag("action", event.action().wireName())
        .withTag("outcome", event.outcome().wireName())
        .increment();
  }

  static void notStored(String cause, int events) {
    FAILED.withTag("cause", cause).increment(events);
  }
}
