package io.bulwark.http.auth;

import io.bulwark.domain.tenant.Role;
import io.bulwark.http.auth.Authentication.Reason;
import java.time.Clock;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Turns an Authorization header into a {@link Principal}, or the reason for a 401: the platform
 * key, a tenant API key ({@code bwk_...}), or, when configured, a JWT of the enterprise's identity
 * provider.
 */
public final class Authenticator {
  private static final String BEARER = "Bearer ";

  private final List<String> platformKeyHashes;
  private final KeyCache keys;
  private final Clock clock;
  private final JwtAuthenticator jwt;

  /**
   * @param platformKeyHash SHA-256 hex of the platform key; null disables the platform key.
   */
  public Authenticator(String platformKeyHash, KeyCache keys) {
    this(platformKeyHash == null ? List.of() : List.of(platformKeyHash), keys, Clock.systemUTC());
  }

  /**
   * @param platformKeyHashes SHA-256 hex of each platform key that works: the current one and,
   *     while a rotation overlaps, the previous one.
   */
  public Authenticator(List<String> platformKeyHashes, KeyCache keys, Clock clock) {
    this(platformKeyHashes, keys, clock, null);
  }

  /**
   * @param jwt bearer JWTs of the enterprise's identity provider (ADR 0021); null: JWTs are
   *     malformed tokens like any other.
   */
  public Authenticator(
      List<String> platformKeyHashes, KeyCache keys, Clock clock, JwtAuthenticator jwt) {
    this.platformKeyHashes = List.copyOf(platformKeyHashes);
    this.keys = keys;
    this.clock = clock;
    this.jwt = jwt;
  }

  /**
   * Whether {@code tenantId} exists, from the key cache (a tenant created a moment ago may be
   * unknown for as long as a negative answer is cached, a few seconds).
   */
  public CompletionStage<Boolean> tenantExists(String tenantId) {
    return keys.tenant(tenantId).thenApply(reply -> reply.tenantExists());
  }

  public CompletionStage<Authentication> authenticate(Optional<String> authorization) {
    if (authorization.isEmpty()
        || !authorization.get().regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return done(Authentication.failed(Reason.MISSING));
    }
    String token = authorization.get().substring(BEARER.length()).trim();
    String presentedHash = ApiKeys.hash(token);
    boolean platform = false;
    for (String hash : platformKeyHashes) { // every one compared: the time says nothing
      platform |= ApiKeys.hashesMatch(presentedHash, hash);
    }
    if (platform) {
      return done(Authentication.of(Principal.PLATFORM));
    }
    if (jwt != null && JwtAuthenticator.looksLikeJwt(token)) {
      return jwt.authenticate(token);
    }
    var parsed = ApiKeys.parse(token);
    if (parsed.isEmpty()) {
      return done(Authentication.failed(Reason.MALFORMED));
    }
    String tenantId = parsed.get().tenantId();
    String keyId = parsed.get().keyId();
    return keys.get(tenantId, keyId)
        .thenApply(
            reply -> {
              var key = reply.key();
              if (key == null) {
                return Authentication.failed(Reason.UNKNOWN_KEY);
              }
              if (!ApiKeys.hashesMatch(presentedHash, key.secretHash())) {
                return Authentication.failed(Reason.WRONG_SECRET, tenantId, keyId);
              }
              if (!key.isActive()) {
                return Authentication.failed(Reason.REVOKED, tenantId, keyId);
              }
              if (key.isExpiredAt(clock.instant())) {
                return Authentication.failed(Reason.EXPIRED, tenantId, keyId);
              }
              var roles = EnumSet.noneOf(Role.class);
              key.roles().forEach(r -> Role.parse(r).ifPresent(roles::add));
              return Authentication.of(Principal.tenantKey(tenantId, keyId, roles, reply.limits()));
            });
  }

  private static CompletionStage<Authentication> done(Authentication result) {
    return CompletableFuture.completedFuture(result);
  }
}
