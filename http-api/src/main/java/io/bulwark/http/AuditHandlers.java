package io.bulwark.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulwark.audit.AuditAction;
import io.bulwark.audit.AuditEvent;
import io.bulwark.audit.AuditReader;
import io.bulwark.audit.StoredAuditEvent;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/**
 * The audit log's read side: a tenant's chain for its admins and the platform key, the platform's
 * own chain for the platform key. Every read is itself recorded first, and refused (503) when that
 * record cannot be stored.
 */
final class AuditHandlers {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final AuditReader reader;
  private final Auditor auditor;

  AuditHandlers(AuditReader reader, Auditor auditor) {
    this.reader = reader;
    this.auditor = auditor;
  }

  CompletionStage<HttpResponse> list(
      Call call,
      String chain,
      Optional<String> action,
      Optional<String> limit,
      Optional<String> cursor) {
    authorize(call, chain);
    int size = LedgerHandlers.limit(limit);
    Optional<AuditAction> filter =
        action.map(
            name ->
                AuditAction.parse(name)
                    .orElseThrow(
                        () ->
                            ApiException.invalid(
                                "action", "'action' is not an audit action: '" + name + "'.")));
    var details = new LinkedHashMap<String, Object>();
    details.put("limit", size);
    details.put("action", action.orElse(null));
    details.put("cursor", cursor.isPresent());
    return auditor
        .first(call, chain, AuditAction.AUDIT_READ, "audit-events", details)
        .thenCompose(recorded -> reader.page(chain, size, cursor, filter))
        .thenApply(
            page -> {
              Map<String, Object> body = new LinkedHashMap<>();
              body.put("items", page.items().stream().map(AuditHandlers::view).toList());
              body.put("nextCursor", page.nextCursor());
              return Json.response(200, body);
            });
  }

  CompletionStage<HttpResponse> verify(Call call, String chain) {
    authorize(call, chain);
    return auditor
        .first(call, chain, AuditAction.AUDIT_VERIFIED, "audit-events", Map.of())
        .thenCompose(recorded -> reader.verify(chain))
        .thenApply(
            v -> {
              Map<String, Object> body = new LinkedHashMap<>();
              body.put("valid", v.valid());
              body.put("events", v.events());
              body.put("firstSeq", v.firstSeq());
              body.put("lastSeq", v.lastSeq());
              body.put("lastHash", v.lastHash());
              body.put("brokenAtSeq", v.brokenAtSeq());
              body.put("problem", v.problem());
              return Json.response(200, body);
            });
  }

  private static void authorize(Call call, String chain) {
    if (chain.equals(AuditEvent.PLATFORM_CHAIN)) {
      Access.platformOnly(call.principal());
    } else {
      Access.platformOrAdmin(call.principal(), chain);
    }
  }

  private static Map<String, Object> view(StoredAuditEvent e) {
    Map<String, Object> item = new LinkedHashMap<>();
    item.put("seq", e.seq());
    item.put("occurredAt", e.occurredAt());
    item.put("actor", e.actor());
    item.put("action", e.action());
    item.put("target", e.target());
    item.put("outcome", e.outcome());
    item.put("requestId", e.requestId());
    item.put("traceId", e.traceId());
    item.put("clientIp", e.clientIp());
    item.put("userAgent", e.userAgent());
    item.put("details", details(e.details()));
    item.put("hash", e.hash());
    item.put("prevHash", e.prevHash());
    return item;
  }

  private static Object details(String json) {
    if (json == null) {
      return Map.of();
    }
    try {
      return JSON.readTree(json);
    } catch (JsonProcessingException e) {
      return json; // stored by us, so never reached; shown raw rather than lost
    }
  }
}
