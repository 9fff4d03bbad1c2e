package io.bulwark.domain.transfer;

import io.bulwark.domain.JsonSerializable;
import java.time.Instant;

/** A transfer as the API shows it. {@code status} is pending, completed or rejected. */
public record TransferView(
    String id,
    String from,
    String to,
    long amount,
    String currency,
    String reference,
    String status,
    String reason,
    Instant createdAt,
    Instant completedAt)
    implements JsonSerializable {

  public static final String PENDING = "pending";
  public static final String COMPLETED = "completed";
  public static final String REJECTED = "rejected";

  TransferView finished(String newStatus, String newReason, Instant at) {
    return new TransferView(
        id, from, to, amount, currency, reference, newStatus, newReason, createdAt, at);
  }
}
