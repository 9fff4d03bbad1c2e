package io.bulwark.webhooks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulwark.domain.WebhookTags;
import io.bulwark.domain.account.Account;
import io.bulwark.domain.transfer.Transfer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One committed event as a webhook carries it: a thin payload (ids, amounts, status, time; never a
 * secret) in the Standard Webhooks shape {@code {"type","timestamp","data"}}, with an id derived
 * from the event's place in the journal, so every retry and every replay carries the same {@code
 * webhook-id}. {@code accountId} orders it: a transfer's outcome goes with its debited account.
 */
public record WebhookMessage(
    String tenantId,
    String messageId,
    long seq,
    String persistenceId,
    long seqNr,
    EventType type,
    String accountId,
    String payload,
    String requestId,
    String traceId,
    Instant occurredAt) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public int partition() {
    return WebhookTags.of(tenantId);
  }

  /** The message for {@code event}, or empty for an event no webhook carries. */
  public static Optional<WebhookMessage> of(
      Object event, String persistenceId, long seqNr, long ordering) {
    if (event instanceof Account.AccountOpened e) {
      var data = new LinkedHashMap<String, Object>();
      data.put("accountId", e.accountId());
      data.put("currency", e.currency());
      data.put("overdraftLimit", e.overdraftLimit());
      data.put("createdAt", e.at().toString());
      return Optional.of(
          message(
              e.tenantId(),
              persistenceId,
              seqNr,
              ordering,
              EventType.ACCOUNT_CREATED,
              e.accountId(),
              data,
              e.requestId(),
              e.traceId(),
              e.at()));
    }
    if (event instanceof Transfer.TransferCompleted e) {
      var data = transfer(e.transferId(), e.from(), e.to(), e.amount(), e.currency(), "completed");
      data.put("completedAt", e.at().toString());
      return Optional.of(
          message(
              e.tenantId(),
              persistenceId,
              seqNr,
              ordering,
              EventType.TRANSFER_COMPLETED,
              e.from(),
              data,
              e.requestId(),
              e.traceId(),
              e.at()));
    }
    if (event instanceof Transfer.TransferRejected e) {
      var data = transfer(e.transferId(), e.from(), e.to(), e.amount(), e.currency(), "rejected");
      data.put("reason", e.reason());
      data.put("rejectedAt", e.at().toString());
      // an event from before rejections named their accounts orders by its transfer instead
      String orderKey = e.from() != null ? e.from() : e.transferId();
      return Optional.of(
          message(
              e.tenantId(),
              persistenceId,
              seqNr,
              ordering,
              EventType.TRANSFER_REJECTED,
              orderKey,
              data,
              e.requestId(),
              e.traceId(),
              e.at()));
    }
    return Optional.empty();
  }

  /** The {@code webhook-id} of the event at ({@code persistenceId}, {@code seqNr}). */
  public static String idOf(String persistenceId, long seqNr) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest((persistenceId + "#" + seqNr).getBytes(StandardCharsets.UTF_8));
      return "msg_" + HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is unavailable", e);
    }
  }

  private static LinkedHashMap<String, Object> transfer(
      String transferId, String from, String to, Long amount, String currency, String status) {
    var data = new LinkedHashMap<String, Object>();
    data.put("transferId", transferId);
    data.put("from", from);
    data.put("to", to);
    data.put("amount", amount);
    data.put("currency", currency);
    data.put("status", status);
    return data;
  }

  private static WebhookMessage message(
      String tenantId,
      String persistenceId,
      long seqNr,
      long ordering,
      EventType type,
      String accountId,
      Map<String, Object> data,
      String requestId,
      String traceId,
      Instant at) {
    var body = new LinkedHashMap<String, Object>();
    body.put("type", type.wireName());
    body.put("timestamp", at.toString());
    body.put("data", data);
    try {
      return new WebhookMessage(
          tenantId,
          idOf(persistenceId, seqNr),
          ordering,
          persistenceId,
          seqNr,
          type,
          accountId,
          JSON.writeValueAsString(body),
          requestId,
          traceId,
          at);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("A webhook payload cannot be written", e);
    }
  }
}
