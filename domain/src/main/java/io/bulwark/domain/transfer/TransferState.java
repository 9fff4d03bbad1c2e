package io.bulwark.domain.transfer;

import io.bulwark.domain.JsonSerializable;

/**
 * What a transfer saga has persisted: its phase, the transfer as clients see it, and the request's
 * fingerprint (a reused Idempotency-Key with another request is refused), and the request that
 * started it (its webhooks name it). Only the phases a recovery must not repeat exist (ADR 0002).
 */
public record TransferState(
    Phase phase, TransferView transfer, String fingerprint, String requestId, String traceId)
    implements JsonSerializable {

  public enum Phase {
    NEW,
    RESERVING,
    CREDITED,
    COMPLETED,
    REJECTED;

    boolean isPending() {
      return this == RESERVING || this == CREDITED;
    }

    boolean isFinal() {
      return this == COMPLETED || this == REJECTED;
    }
  }

  static TransferState empty() {
    return new TransferState(Phase.NEW, null, null, null, null);
  }

  /** The state after {@code event}; the saga's event handler. */
  TransferState apply(Transfer.Event event) {
    if (event instanceof Transfer.TransferRequested e) {
      return new TransferState(
          Phase.RESERVING,
          new TransferView(
              e.transferId(),
              e.from(),
              e.to(),
              e.amount(),
              e.currency(),
              e.reference(),
              TransferView.PENDING,
              null,
              e.at(),
              null),
          e.fingerprint(),
          e.requestId(),
          e.traceId());
    }
    if (event instanceof Transfer.DestinationCredited) {
      return with(Phase.CREDITED, transfer);
    }
    if (event instanceof Transfer.TransferCompleted e) {
      return with(Phase.COMPLETED, transfer.finished(TransferView.COMPLETED, null, e.at()));
    }
    if (event instanceof Transfer.TransferRejected e) {
      return with(Phase.REJECTED, transfer.finished(TransferView.REJECTED, e.reason(), e.at()));
    }
    throw new IllegalArgumentException("Not a transfer event: " + event);
  }

  private TransferState with(Phase next, TransferView view) {
    return new TransferState(next, view, fingerprint, requestId, traceId);
  }
}
