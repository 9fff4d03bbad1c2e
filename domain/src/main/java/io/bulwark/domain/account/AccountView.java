package io.bulwark.domain.account;

import io.bulwark.domain.JsonSerializable;
import java.time.Instant;

/** An account as the API shows it; {@code overdraftLimit} null means unlimited. */
public record AccountView(
    String id, String currency, long balance, long reserved, Long overdraftLimit, Instant createdAt)
    implements JsonSerializable {}
