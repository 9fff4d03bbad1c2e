package io.bulwark.http.auth;

import io.bulwark.domain.tenant.Role;
import java.util.EnumSet;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Turns an Authorization header into a {@link Principal}, or an empty result for a 401. */
public final class Authenticator {
  private static final String BEARER = "Bearer ";

  private final String platformKeyHash;
  private final KeyCache keys;

  /**
   * @param platformKeyHash SHA-256 hex of the platform key; null disables the platform key.
   */
  public Authenticator(String platformKeyHash, KeyCache keys) {
    this.platformKeyHash = platformKeyHash;
    this.keys = keys;
  }

  public CompletionStage<Optional<Principal>> authenticate(Optional<String> authorization) {
    if (authorization.isEmpty()
        || !authorization.get().regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    String token = authorization.get().substring(BEARER.length()).trim();
    String presentedHash = ApiKeys.hash(token);
    if (platformKeyHash != null && ApiKeys.hashesMatch(presentedHash, platformKeyHash)) {
      return CompletableFuture.completedFuture(Optional.of(Principal.PLATFORM));
    }
    var parsed = ApiKeys.parse(token);
    if (parsed.isEmpty()) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    String tenantId = parsed.get().tenantId();
    String keyId = parsed.get().keyId();
    return keys.get(tenantId, keyId)
        .thenApply(
            reply -> {
              var key = reply.key();
              if (key == null
                  || !key.isActive()
                  || !ApiKeys.hashesMatch(presentedHash, key.secretHash())) {
                return Optional.empty();
              }
              var roles = EnumSet.noneOf(Role.class);
              key.roles().forEach(r -> Role.parse(r).ifPresent(roles::add));
              return Optional.of(Principal.tenantKey(tenantId, keyId, roles, reply.limits()));
            });
  }
}
