package io.bulwark.domain.tenant;

import io.bulwark.domain.JsonSerializable;
import java.time.Instant;
import java.util.List;

/** What the tenant stores of one API key: its secret only as a SHA-256 hash. */
public record KeyRecord(
    String keyId,
    String name,
    List<String> roles,
    String secretHash,
    Instant createdAt,
    Instant revokedAt)
    implements JsonSerializable {

  public boolean isActive() {
    return revokedAt == null;
  }

  KeyRecord revoked(Instant at) {
    return new KeyRecord(keyId, name, roles, secretHash, createdAt, at);
  }

  ApiKeyView view() {
    return new ApiKeyView(keyId, name, roles, createdAt, revokedAt);
  }
}
