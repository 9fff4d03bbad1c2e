package io.bulwark.http.auth;

import java.util.Optional;

/**
 * The outcome of reading an Authorization header: a {@link Principal}, or why there is none. A
 * failure names the tenant and key only when the key exists, so that what an attacker writes into a
 * token never selects whose audit chain records it.
 */
public record Authentication(Principal principal, Failure failure) {

  public enum Reason {
    /** No Authorization header, or not a bearer token: not an attempt, not audited. */
    MISSING,
    /** A token that is neither the platform key nor shaped like an API key. */
    MALFORMED,
    /** Shaped like an API key, but no tenant has such a key. */
    UNKNOWN_KEY,
    /** A known key presented with the wrong secret. */
    WRONG_SECRET,
    /** A known key that was revoked. */
    REVOKED,
    /** A known key past its expiry (set when issued, or by a rotation's overlap). */
    EXPIRED;

    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** {@code tenantId} and {@code keyId} are set only for a key that exists. */
  public record Failure(Reason reason, String tenantId, String keyId) {}

  static Authentication of(Principal principal) {
    return new Authentication(principal, null);
  }

  static Authentication failed(Reason reason) {
    return new Authentication(null, new Failure(reason, null, null));
  }

  static Authentication failed(Reason reason, String tenantId, String keyId) {
    return new Authentication(null, new Failure(reason, tenantId, keyId));
  }

  public Optional<Principal> principalIfAny() {
    return Optional.ofNullable(principal);
  }
}
