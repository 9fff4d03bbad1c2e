package io.bulwark.http;

import io.bulwark.audit.AuditAction;
import io.bulwark.domain.Ids;
import io.bulwark.domain.Refusal;
import io.bulwark.domain.account.Account;
import io.bulwark.domain.transfer.Outcome;
import io.bulwark.domain.transfer.Transfer;
import io.bulwark.domain.transfer.TransferView;
import io.bulwark.readmodel.ReadModelQueries;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

/** Accounts, transfers and statements: strong reads from entities, lists from read models. */
final class LedgerHandlers {
  private static final Set<String> STATUSES =
      Set.of(TransferView.PENDING, TransferView.COMPLETED, TransferView.REJECTED);
  private static final Map<String, String> REFUSAL_DETAILS =
      Map.of(
          Refusal.ACCOUNT_NOT_FOUND,
              "The source or destination account does not exist in this tenant.",
          Refusal.CURRENCY_MISMATCH, "Both accounts must hold the transfer's currency.",
          Refusal.SAME_ACCOUNT, "The source and destination accounts must differ.",
          Refusal.INSUFFICIENT_FUNDS,
              "The source's available balance and overdraft limit do not cover the amount.",
          Refusal.AMOUNT_OUT_OF_RANGE,
              "The transfer would take a balance beyond the 64-bit range.");

  private final EntityGateway entities;
  private final ReadModelQueries queries;
  private final Auditor auditor;
  private final Duration transferWait;

  LedgerHandlers(
      EntityGateway entities, ReadModelQueries queries, Duration transferWait, Auditor auditor) {
    this.entities = entities;
    this.queries = queries;
    this.transferWait = transferWait;
    this.auditor = auditor;
  }

  /** The read models, for one request: no query starts after its deadline. */
  private ReadModelQueries queries(Call call) {
    return queries.within(call.deadline().remaining());
  }

  CompletionStage<HttpResponse> openAccount(Call call, String tenantId, JsonBody body) {
    Access.writer(call.principal(), tenantId);
    String id = body.requiredId("id");
    String currency = body.requiredCurrency("currency");
    Long overdraftLimit = body.overdraftLimit("overdraftLimit");
    var response =
        entities
            .openAccount(call, tenantId, id, currency, overdraftLimit)
            .thenApply(
                reply -> {
                  if (reply instanceof Account.Opened opened) {
                    return Json.response(
                        201,
                        opened.account(),
                        List.of(Location.create(Paths.account(tenantId, id))));
                  }
                  throw new ApiException(
                      409, "account_exists", "An account with this id already exists.");
                });
    var details = new java.util.LinkedHashMap<String, Object>();
    details.put("currency", currency);
    details.put("overdraftLimit", overdraftLimit == null ? "unlimited" : overdraftLimit);
    return auditor.after(
        response, call, tenantId, AuditAction.ACCOUNT_CREATED, "accounts/" + id, details);
  }

  CompletionStage<HttpResponse> getAccount(Call call, String tenantId, String accountId) {
    Access.reader(call.principal(), tenantId);
    JsonBody.checkedId("accountId", accountId);
    return entities
        .getAccount(call, tenantId, accountId)
        .thenApply(
            reply -> {
              if (reply.account() == null) {
                throw ApiException.notFound();
              }
              return Json.response(200, reply.account());
            });
  }

  CompletionStage<HttpResponse> listAccounts(
      Call call, String tenantId, Optional<String> limit, Optional<String> cursor) {
    Access.reader(call.principal(), tenantId);
    return queries(call)
        .listAccounts(tenantId, limit(limit), cursor.orElse(null))
        .thenApply(page -> Json.response(200, page));
  }

  CompletionStage<HttpResponse> listEntries(
      Call call,
      String tenantId,
      String accountId,
      Optional<String> limit,
      Optional<String> cursor) {
    Access.reader(call.principal(), tenantId);
    JsonBody.checkedId("accountId", accountId);
    int pageSize = limit(limit);
    String after = cursor.orElse(null);
    return entities
        .getAccount(call, tenantId, accountId)
        .thenCompose(
            reply -> {
              if (reply.account() == null) {
                throw ApiException.notFound();
              }
              return queries(call).listEntries(tenantId, accountId, pageSize, after);
            })
        .thenApply(page -> Json.response(200, page));
  }

  CompletionStage<HttpResponse> createTransfer(
      Call call, String tenantId, Optional<String> idempotencyKey, JsonBody body) {
    Access.writer(call.principal(), tenantId);
    String key = idempotencyKey(idempotencyKey);
    var request = TransferRequest.from(body);
    return entities
        .startTransfer(call, tenantId, key, request, request.fingerprint(), transferWait)
        .thenApply(outcome -> transferResponse(call, tenantId, outcome));
  }

  CompletionStage<HttpResponse> getTransfer(Call call, String tenantId, String transferId) {
    Access.reader(call.principal(), tenantId);
    if (!Ids.isValidIdempotencyKey(transferId)) {
      throw new ApiException(
          400, "invalid_id", "A transfer id is 1-255 printable ASCII characters.", "transferId");
    }
    // A never-written id is answered from the journal: asking its entity would start a saga
    // (a recovery of two queries, and an entity in memory) for nothing.
    String persistenceId = Transfer.persistenceId(tenantId, transferId).id();
    return queries(call)
        .hasEvents(persistenceId)
        .thenCompose(
            exists -> {
              if (!exists) {
                throw ApiException.notFound();
              }
              return entities.getTransfer(call, tenantId, transferId);
            })
        .thenApply(
            reply -> {
              if (reply.transfer() == null) {
                throw ApiException.notFound();
              }
              return Json.response(200, reply.transfer());
            });
  }

  CompletionStage<HttpResponse> listTransfers(
      Call call,
      String tenantId,
      Optional<String> status,
      Optional<String> limit,
      Optional<String> cursor) {
    Access.reader(call.principal(), tenantId);
    if (status.isPresent() && !STATUSES.contains(status.get())) {
      throw ApiException.invalid("status", "'status' is one of pending, completed, rejected.");
    }
    return queries(call)
        .listTransfers(tenantId, status.orElse(null), limit(limit), cursor.orElse(null))
        .thenApply(page -> Json.response(200, page));
  }

  private HttpResponse transferResponse(Call call, String tenantId, Outcome outcome) {
    List<HttpHeader> headers = new ArrayList<>();
    if (outcome.replayed()) {
      headers.add(RawHeader.create("Idempotent-Replayed", "true"));
    }
    var transfer = outcome.transfer();
    switch (outcome.kind()) {
      case KEY_REUSED:
        return Problems.of(
                422,
                "idempotency_key_reused",
                "This Idempotency-Key was used with a different request body.",
                null,
                call.requestId(),
                Map.of())
            .addHeaders(headers);
      case REJECTED:
        return Problems.of(
                422,
                transfer.reason(),
                REFUSAL_DETAILS.getOrDefault(transfer.reason(), "The transfer was refused."),
                null,
                call.requestId(),
                Map.of("transfer", transfer))
            .addHeaders(headers);
      case COMPLETED:
        headers.add(Location.create(Paths.transfer(tenantId, transfer.id())));
        return Json.response(201, transfer, headers);
      case PENDING:
      default:
        headers.add(Location.create(Paths.transfer(tenantId, transfer.id())));
        return Json.response(202, transfer, headers);
    }
  }

  static String idempotencyKey(Optional<String> header) {
    if (header.isEmpty()) {
      throw new ApiException(
          400,
          "idempotency_key_missing",
          "Transfers need an Idempotency-Key header.",
          "Idempotency-Key");
    }
    if (!Ids.isValidIdempotencyKey(header.get())) {
      throw new ApiException(
          400,
          "idempotency_key_invalid",
          "An Idempotency-Key is 1-255 printable ASCII characters.",
          "Idempotency-Key");
    }
    return header.get();
  }

  static int limit(Optional<String> raw) {
    if (raw.isEmpty()) {
      return 50;
    }
    try {
      int limit = Integer.parseInt(raw.get());
      if (limit >= 1 && limit <= 200) {
        return limit;
      }
    } catch (NumberFormatException notANumber) {
      // refused below
    }
    throw ApiException.invalid("limit", "'limit' is an integer from 1 to 200.");
  }
}
