package io.bulwark.domain.telemetry;

import kamon.Kamon;
import kamon.context.Context;
import kamon.tag.Lookups;

/**
 * The request an event came from: its request id and trace id, read from the trace context the edge
 * sends with every ask. Events that leave Bulwark (webhooks) carry them, so a tenant can match a
 * delivery to the call that caused it. Both are null for work no request started.
 */
public record Origin(String requestId, String traceId) {
  /** The names under which the edge puts the ids in the context's tags. */
  public static final String REQUEST_ID_TAG = "requestId";

  public static final String TRACE_ID_TAG = "traceId";

  public static final Origin NONE = new Origin(null, null);

  /** The origin of the message being handled now. */
  public static Origin current() {
    return of(Kamon.currentContext());
  }

  static Origin of(Context context) {
    if (context == null || context.isEmpty()) {
      return NONE;
    }
    String requestId = context.getTag(Lookups.plain(REQUEST_ID_TAG));
    String traceId = context.get(kamon.trace.Span.Key()).trace().id().string();
    if (traceId.isEmpty()) {
      traceId = context.getTag(Lookups.plain(TRACE_ID_TAG));
    }
    return new Origin(requestId, traceId);
  }
}
