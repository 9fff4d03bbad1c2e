package io.bulwark.http;

import io.bulwark.audit.AuditAction;
import io.bulwark.deadletters.DeadLetter;
import io.bulwark.deadletters.DeadLetterReplay;
import io.bulwark.deadletters.ProjectionDeadLetters;
import io.bulwark.readmodel.Reconciliation;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/**
 * The platform's operations on the read models (ADR 0025): the events the projections parked, the
 * replay of a tenant's parked events after a fix (audited in the tenant's chain with its outcome),
 * and a tenant's reconciliation. Only the platform key: parked events name entities of any tenant,
 * a replay writes the read models, and a reconciliation asks every account entity of a tenant.
 */
final class OperationsHandlers {
  static final Set<String> PROJECTIONS = Set.of("ledger", "webhooks");
  private static final Set<String> REPAIRS = Set.of("none", "replace-invalid-text");
  private static final int MAX_PERSISTENCE_ID = 1024;

  private final ProjectionDeadLetters deadLetters;
  private final Reconciliation reconciliation;
  private final Auditor auditor;

  OperationsHandlers(ReadModelOperations operations, Auditor auditor) {
    this.deadLetters = operations.deadLetters();
    this.reconciliation = operations.reconciliation();
    this.auditor = auditor;
  }

  /**
   * The tenant's accounts against their entities and its transfers against its journal. 200 either
   * way: {@code consistent} says whether anything differs.
   */
  CompletionStage<HttpResponse> reconcile(Call call, String tenantId) {
    Access.platformFor(call.principal(), tenantId);
    var accounts = reconciliation.forTenant(tenantId).toCompletableFuture();
    var transfers = reconciliation.transfers(tenantId).toCompletableFuture();
    return accounts.thenCombine(
        transfers,
        (a, t) -> {
          Map<String, Object> body = new LinkedHashMap<>();
          body.put("tenantId", tenantId);
          body.put("consistent", a.consistent() && t.consistent());
          body.put("accounts", Map.of("checked", a.checked(), "differences", a.differences()));
          Map<String, Object> counts = new LinkedHashMap<>();
          counts.put("consistent", t.consistent());
          counts.put("readModel", t.readModel());
          counts.put("journal", t.journal());
          body.put("transfers", counts);
          return Json.response(200, body);
        });
  }

  CompletionStage<HttpResponse> list(
      Call call,
      Optional<String> tenantId,
      Optional<String> projection,
      Optional<String> limit,
      Optional<String> cursor) {
    Access.platformOnly(call.principal());
    tenantId.ifPresent(id -> JsonBody.checkedId("tenantId", id));
    projection.ifPresent(p -> checkedProjection("projection", p));
    int size = LedgerHandlers.limit(limit);
    return deadLetters
        .list(tenantId.orElse(null), projection.orElse(null), size, cursor.orElse(null))
        .thenApply(
            page -> {
              Map<String, Object> body = new LinkedHashMap<>();
              body.put("items", page.items().stream().map(OperationsHandlers::view).toList());
              body.put("nextCursor", page.nextCursor());
              return Json.response(200, body);
            });
  }

  /** Replays the tenant's parked events, of one projection and entity when the body names them. */
  CompletionStage<HttpResponse> replay(Call call, String tenantId, JsonBody body) {
    String projection = body.optionalString("projection", 64);
    if (projection != null) {
      checkedProjection("projection", projection);
    }
    String persistenceId = body.optionalString("persistenceId", MAX_PERSISTENCE_ID);
    String repair = Optional.ofNullable(body.optionalString("repair", 64)).orElse("none");
    if (!REPAIRS.contains(repair)) {
      throw ApiException.invalid("repair", "'repair' is none or replace-invalid-text.");
    }
    var outcome =
        deadLetters.replay(
            tenantId, projection, persistenceId, repair.equals("replace-invalid-text"));
    return outcome.thenCompose(
        result -> {
          Map<String, Object> details = new LinkedHashMap<>();
          details.put("projection", projection);
          details.put("persistenceId", persistenceId);
          details.put("repair", repair);
          details.put("replayed", result.replayed());
          details.put("stillParked", result.stillParked());
          return auditor.after(
              CompletableFuture.completedFuture(Json.response(200, view(result))),
              call,
              tenantId,
              AuditAction.PROJECTION_REPLAYED,
              "projection-dead-letters",
              details);
        });
  }

  private static void checkedProjection(String member, String projection) {
    if (!PROJECTIONS.contains(projection)) {
      throw ApiException.invalid(member, "'" + member + "' is ledger or webhooks.");
    }
  }

  private static Map<String, Object> view(DeadLetter d) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("projection", d.projection());
    json.put("persistenceId", d.persistenceId());
    json.put("seqNr", d.seqNr());
    json.put("tenantId", d.tenantId());
    json.put("projectionKey", d.projectionKey());
    json.put("offset", d.offset());
    json.put("eventType", d.eventType());
    json.put("state", d.state());
    json.put("error", d.error());
    json.put("sqlState", d.sqlState());
    json.put("attempts", d.attempts());
    json.put("firstAttemptAt", d.firstAttemptAt().toString());
    json.put("lastAttemptAt", d.lastAttemptAt().toString());
    return json;
  }

  private static Map<String, Object> view(DeadLetterReplay.Result r) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("entities", r.entities());
    json.put("replayed", r.replayed());
    json.put("stillParked", r.stillParked());
    json.put(
        "failures",
        r.failures().stream()
            .map(
                f -> {
                  Map<String, Object> failure = new LinkedHashMap<>();
                  failure.put("projection", f.projection());
                  failure.put("persistenceId", f.persistenceId());
                  failure.put("seqNr", f.seqNr());
                  failure.put("error", f.error());
                  return failure;
                })
            .toList());
    return json;
  }
}
