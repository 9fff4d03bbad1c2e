package io.bulwark.domain.tenant;

import io.bulwark.domain.JsonSerializable;
import java.time.Instant;
import java.util.List;

/** An API key without its secret or hash, as listings show it. */
public record ApiKeyView(
    String id,
    String name,
    List<String> roles,
    Instant createdAt,
    Instant revokedAt,
    Instant expiresAt)
    implements JsonSerializable {}
