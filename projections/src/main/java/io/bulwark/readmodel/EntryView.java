package io.bulwark.readmodel;

import java.time.Instant;

/** A posted ledger entry as the API shows it; {@code amount} is negative for a debit. */
public record EntryView(
    String transferId,
    long amount,
    long balanceAfter,
    String counterparty,
    String reference,
    Instant occurredAt) {}
