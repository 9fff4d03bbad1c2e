package io.bulwark.http.auth;

import io.bulwark.domain.Stages;
import io.bulwark.domain.tenant.Tenant;
import io.bulwark.readmodel.DatabaseHealth;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Each node's cache of tenant API keys, so a request costs no entity round trip. An answer is
 * trusted for at most {@code expireAfter} counted from when it was asked for, and refreshed in the
 * background after {@code refreshAfter}: a revocation holds on every node within that bound.
 */
public final class KeyCache {

  /** What the tenant entity said about a key: {@code key} null when it does not exist. */
  public record Lookup(Tenant.LookupReply reply, long askedAtNanos) {}

  private static final Duration FROM_MEMORY = Duration.ofMillis(300);

  public interface Source {
    CompletionStage<Tenant.LookupReply> lookup(String tenantId, String keyId);
  }

  private final Source source;
  private final long refreshAfterNanos;
  private final long expireAfterNanos;
  private final LongSupplier clock;
  private final ConcurrentHashMap<String, CompletableFuture<Lookup>> entries =
      new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Boolean> refreshing = new ConcurrentHashMap<>();

  public KeyCache(Source source, Duration refreshAfter, Duration expireAfter, LongSupplier clock) {
    this.source = source;
    this.refreshAfterNanos = refreshAfter.toNanos();
    this.expireAfterNanos = expireAfter.toNanos();
    this.clock = clock;
  }

  /**
   * Asks the tenant entity, for at most {@code timeout}; while the database is down only briefly,
   * since then only a tenant already in memory can answer.
   */
  public static Source fromSharding(
      ActorSystem<?> system, Duration timeout, DatabaseHealth database) {
    var sharding = ClusterSharding.get(system);
    Duration fromMemory = timeout.compareTo(FROM_MEMORY) < 0 ? timeout : FROM_MEMORY;
    return (tenantId, keyId) ->
        Stages.direct(
            sharding
                .entityRefFor(Tenant.ENTITY_KEY, tenantId)
                .ask(
                    replyTo -> new Tenant.LookupKey(keyId, replyTo),
                    database.isUp() ? timeout : fromMemory));
  }

  /**
   * The tenant alone: whether it exists and its limits (for a JWT, which names a tenant but no
   * key). Cached and invalidated like a key of the tenant.
   */
  public CompletionStage<Tenant.LookupReply> tenant(String tenantId) {
    return get(tenantId, null);
  }

  public CompletionStage<Tenant.LookupReply> get(String tenantId, String keyId) {
    // "" never names an issued key, so a tenant lookup shares no entry with a real key.
    String cacheKey = tenantId + "/" + (keyId == null ? "" : keyId);
    long now = clock.getAsLong();
    CompletableFuture<Lookup> current = entries.get(cacheKey);
    if (current != null && current.isDone() && !current.isCompletedExceptionally()) {
      Lookup lookup = current.join();
      long age = now - lookup.askedAtNanos();
      if (age < expireAfterNanos) {
        if (age >= refreshAfterNanos && refreshing.putIfAbsent(cacheKey, Boolean.TRUE) == null) {
          fetch(tenantId, keyId, now)
              .whenComplete(
                  (fresh, error) -> {
                    if (error == null) {
                      entries.put(cacheKey, CompletableFuture.completedFuture(fresh));
                    }
                    refreshing.remove(cacheKey);
                  });
        }
        return CompletableFuture.completedFuture(lookup.reply());
      }
    } else if (current != null && !current.isDone()) {
      return current.thenApply(Lookup::reply);
    }
    CompletableFuture<Lookup> loading = fetch(tenantId, keyId, now);
    entries.put(cacheKey, loading);
    loading.whenComplete(
        (ok, error) -> {
          if (error != null) {
            entries.remove(cacheKey, loading);
          }
        });
    return loading.thenApply(Lookup::reply);
  }

  /** Drops what this node knows of a key, e.g. right after revoking it here. */
  public void invalidate(String tenantId, String keyId) {
    entries.remove(tenantId + "/" + keyId);
  }

  /** Drops what this node knows of all of a tenant's keys, e.g. after its limits changed. */
  public void invalidateTenant(String tenantId) {
    String prefix = tenantId + "/";
    entries.keySet().removeIf(k -> k.startsWith(prefix));
  }

  private CompletableFuture<Lookup> fetch(String tenantId, String keyId, long askedAt) {
    return source
        .lookup(tenantId, keyId)
        .thenApply(reply -> new Lookup(reply, askedAt))
        .toCompletableFuture();
  }
}
