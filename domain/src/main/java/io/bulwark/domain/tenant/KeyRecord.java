package io.bulwark.domain.tenant;

import io.bulwark.domain.JsonSerializable;
import java.time.Instant;
import java.util.List;

/**
 * What the tenant stores of one API key: its secret only as a SHA-256 hash, and when it stops
 * working ({@code expiresAt}, null for never; a rotation sets it on the key it replaces).
 */
public record KeyRecord(
    String keyId,
    String name,
    List<String> roles,
    String secretHash,
    Instant createdAt,
    Instant revokedAt,
    Instant expiresAt)
    implements JsonSerializable {

  /** Not revoked; it may still have expired ({@link #isExpiredAt}). */
  public boolean isActive() {
    return revokedAt == null;
  }

  /** {@code expiresAt} null: the key never expires. */
  public boolean isExpiredAt(Instant now) {
    return expiresAt != null && !now.isBefore(expiresAt);
  }

  KeyRecord revoked(Instant at) {
    return new KeyRecord(keyId, name, roles, secretHash, createdAt, at, expiresAt);
  }

  KeyRecord withRoles(List<String> newRoles) {
    return new KeyRecord(keyId, name, newRoles, secretHash, createdAt, revokedAt, expiresAt);
  }

  KeyRecord expiringAt(Instant at) {
    return new KeyRecord(keyId, name, roles, secretHash, createdAt, revokedAt, at);
  }

  ApiKeyView view() {
    return new ApiKeyView(keyId, name, roles, createdAt, revokedAt, expiresAt);
  }
}
