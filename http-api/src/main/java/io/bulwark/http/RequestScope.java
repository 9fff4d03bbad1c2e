package io.bulwark.http;

import io.bulwark.http.auth.Principal;
import io.bulwark.http.limits.Priority;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;
import kamon.Kamon;
import kamon.context.Context;
import kamon.tag.TagSet;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.slf4j.MDC;

/**
 * What the edge knows of one request, for its log lines, metrics and trace: the request and trace
 * ids, the route it matched, and once authenticated its tenant and key. Its {@link #context()} goes
 * with every ask to an entity, so the entity's log lines carry the same ids, on any node.
 */
final class RequestScope {
  static final String REQUEST_ID = io.bulwark.domain.telemetry.Origin.REQUEST_ID_TAG;
  static final String TRACE_ID = io.bulwark.domain.telemetry.Origin.TRACE_ID_TAG;
  static final String TENANT_ID = "tenantId";
  static final String KEY_ID = "keyId";

  private static final Pattern TRACEPARENT =
      Pattern.compile("^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$");
  private static final int MAX_USER_AGENT = 512;
  private static final String NO_TRACE = "00000000000000000000000000000000";
  private static final SecureRandom RANDOM = new SecureRandom();

  final String requestId;
  final String traceId;
  final String method;
  final String path;
  final String route;
  final Priority priority;
  final String userAgent;

  /** The tenant the path names, whoever calls; null for paths outside a tenant. */
  final String pathTenantId;

  final long startNanos = System.nanoTime();
  private final Context base;
  private volatile String tenantId;
  private volatile String keyId;
  private volatile String clientIp;

  private RequestScope(HttpRequest request, String requestId) {
    this.requestId = requestId;
    this.method = request.method().name();
    // shown escaped: a hostile path is refused, but still logged, and must not forge log lines
    this.path = TextPolicy.shown(request.getUri().path(), 2048);
    var match = RouteTemplates.of(path);
    this.route = match.template();
    this.tenantId = match.tenantId();
    this.pathTenantId = match.tenantId();
    this.priority = Priority.of(method, path);
    this.base = Kamon.currentContext();
    this.traceId = traceIdOf(base, request);
    // recorded only (audit events), so one that breaks the policy is dropped, not refused
    this.userAgent =
        request
            .getHeader("User-Agent")
            .map(h -> h.value())
            .filter(v -> v.length() <= MAX_USER_AGENT && TextPolicy.allows(v))
            .orElse(null);
  }

  static RequestScope begin(HttpRequest request, String requestId) {
    return new RequestScope(request, requestId);
  }

  /** The caller is known: a tenant key names its tenant (the platform key keeps the path's). */
  void caller(Principal principal) {
    if (!principal.platform()) {
      tenantId = principal.tenantId();
      keyId = principal.keyId();
    }
  }

  String tenantId() {
    return tenantId;
  }

  /** The client's address, once the edge has resolved it behind the trusted proxies. */
  void clientIp(String ip) {
    clientIp = ip;
  }

  String clientIp() {
    return clientIp;
  }

  /** The trace context to send entities: the request's span and the ids the logs show. */
  Context context() {
    var tags = TagSet.builder().add(REQUEST_ID, requestId);
    if (base.get(kamon.trace.Span.Key()).isEmpty()) {
      tags.add(TRACE_ID, traceId); // no span without Kamon's instrumentation: carry the id itself
    }
    if (tenantId != null) {
      tags.add(TENANT_ID, tenantId);
    }
    if (keyId != null) {
      tags.add(KEY_ID, keyId);
    }
    return base.withTags(tags.build());
  }

  /** Runs a log call with this request's ids in the MDC. */
  void log(Runnable logging) {
    MDC.put(REQUEST_ID, requestId);
    MDC.put(TRACE_ID, traceId);
    putOrRemove(TENANT_ID, tenantId);
    putOrRemove(KEY_ID, keyId);
    try {
      logging.run();
    } finally {
      MDC.remove(REQUEST_ID);
      MDC.remove(TRACE_ID);
      MDC.remove(TENANT_ID);
      MDC.remove(KEY_ID);
    }
  }

  private static void putOrRemove(String key, String value) {
    if (value == null) {
      MDC.remove(key);
    } else {
      MDC.put(key, value);
    }
  }

  /**
   * Kamon's span when its instrumentation runs (it has read any W3C traceparent); otherwise the
   * traceparent's trace id, or a new one, so that every request has a trace id to quote.
   */
  private static String traceIdOf(Context context, HttpRequest request) {
    String fromKamon = context.get(kamon.trace.Span.Key()).trace().id().string();
    if (!fromKamon.isEmpty()) {
      return fromKamon;
    }
    var header = request.getHeader("traceparent");
    if (header.isPresent()) {
      var m = TRACEPARENT.matcher(header.get().value());
      if (m.matches() && !m.group(1).equals(NO_TRACE)) {
        return m.group(1);
      }
    }
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }
}
