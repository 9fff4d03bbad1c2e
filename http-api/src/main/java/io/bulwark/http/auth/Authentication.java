package io.bulwark.http.auth;

import java.util.Optional;

/**
 * The outcome of reading an Authorization header: a {@link Principal}, or why there is none. A
 * failure names the tenant and key only when the key exists (for a JWT: when it was validly signed
 * for Bulwark and its tenant exists), so that what an attacker writes into a token never selects
 * whose audit chain records it.
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
    EXPIRED,
    /**
     * A JWT that is not acceptable: bad signature, unknown {@code kid}, an algorithm not allowed,
     * wrong issuer or audience, not yet valid, or claims Bulwark cannot map (ADR 0021).
     */
    INVALID_TOKEN,
    /** A validly signed JWT for Bulwark past its {@code exp} (and the clock skew). */
    EXPIRED_TOKEN,
    /** A validly signed JWT for Bulwark naming a tenant that does not exist. */
    UNKNOWN_TENANT,
    /**
     * The identity provider's keys (JWKS) cannot be had: 503, not the caller's fault, not audited
     * as a failed authentication.
     */
    IDP_UNAVAILABLE;

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
