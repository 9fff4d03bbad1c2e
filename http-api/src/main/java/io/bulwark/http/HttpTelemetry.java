package io.bulwark.http;

import io.bulwark.domain.telemetry.BoundedLabels;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import kamon.Kamon;
import kamon.metric.Metric;
import kamon.tag.TagSet;
import org.apache.pekko.http.javadsl.model.AttributeKey;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every answer of the API, measured and logged once: a duration histogram by route template,
 * method, status class and priority (the SLIs), the same per tenant within a cardinality guard,
 * refusals by reason, and the access log line with the request's ids in the MDC. Error bodies get
 * the trace id, so a client can quote it.
 */
final class HttpTelemetry {
  /** Set by {@link Problems} on every problem response: its stable code. */
  static final AttributeKey<String> PROBLEM_CODE = AttributeKey.create("problemCode", String.class);

  private static final Logger ACCESS = LoggerFactory.getLogger("io.bulwark.http.access");

  private static final Metric.Timer REQUESTS =
      Kamon.timer("bulwark.http.server.requests", "API requests by route, method, status class");
  private static final Metric.Timer TENANT_REQUESTS =
      Kamon.timer("bulwark.http.tenant.requests", "API requests by tenant (guarded), status class");
  private static final Metric.Counter REFUSALS =
      Kamon.counter("bulwark.http.refusals", "Requests refused to protect the service, by reason");

  /** Problem codes that are refusals of traffic protection, and the reason label of each. */
  private static final Map<String, String> REFUSAL_REASONS =
      Map.of(
          "rate_limited", "rate_limited",
          "overloaded", "overloaded",
          "deadline_exceeded", "deadline",
          "dependency_unavailable", "breaker",
          "unavailable", "timeout");

  private final BoundedLabels tenants;

  HttpTelemetry(int tenantLabels) {
    this.tenants = new BoundedLabels(tenantLabels);
  }

  HttpResponse observe(RequestScope scope, HttpResponse response) {
    int status = response.status().intValue();
    long nanos = System.nanoTime() - scope.startNanos;
    String statusClass = (status / 100) + "xx";
    String priority = scope.priority.label();
    REQUESTS
        .withTags(
            TagSet.builder()
                .add("route", scope.route)
                .add("method", scope.method)
                .add("status_class", statusClass)
                .add("priority", priority)
                .build())
        .record(nanos);
    String tenant = scope.tenantId();
    if (tenant != null && !scope.route.equals(RouteTemplates.UNMATCHED)) {
      TENANT_REQUESTS
          .withTags(
              TagSet.builder()
                  .add("tenant", tenants.label(tenant))
                  .add("status_class", statusClass)
                  .add("priority", priority)
                  .build())
          .record(nanos);
    }
    var code = response.getAttribute(PROBLEM_CODE);
    String reason = code.map(REFUSAL_REASONS::get).orElse(null);
    if (reason != null) {
      REFUSALS.withTag("reason", reason).withTag("priority", priority).increment();
    }
    access(scope, response, status);
    return code.isPresent() ? withTraceId(response, scope.traceId) : response;
  }

  /**
   * One line per request: client errors at INFO, successes at DEBUG; refusals of traffic protection
   * (429, 503) at DEBUG too, so that a flood does not become a flood of log lines.
   */
  private static void access(RequestScope scope, HttpResponse response, int status) {
    boolean info = status >= 400 && status != 429 && status != 503;
    if (info ? ACCESS.isInfoEnabled() : ACCESS.isDebugEnabled()) {
      scope.log(
          () -> {
            String line = "{} {} -> {} requestId={}";
            if (info) {
              ACCESS.info(line, scope.method, scope.path, status, scope.requestId);
            } else {
              ACCESS.debug(line, scope.method, scope.path, status, scope.requestId);
            }
          });
    }
  }

  /** Problem bodies are small JSON objects made by {@link Problems}: the id goes in last. */
  private static HttpResponse withTraceId(HttpResponse response, String traceId) {
    if (!(response.entity() instanceof HttpEntity.Strict strict)) {
      return response;
    }
    String body = strict.getData().utf8String();
    int end = body.lastIndexOf('}');
    if (end < 0) {
      return response;
    }
    String traced = body.substring(0, end) + ",\"traceId\":\"" + traceId + "\"}";
    return response.withEntity(strict.getContentType(), traced.getBytes(StandardCharsets.UTF_8));
  }
}
