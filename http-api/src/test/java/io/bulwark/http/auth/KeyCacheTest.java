package io.bulwark.http.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.bulwark.domain.tenant.KeyRecord;
import io.bulwark.domain.tenant.Tenant;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class KeyCacheTest {
  private final AtomicLong clock = new AtomicLong();
  private final AtomicInteger lookups = new AtomicInteger();
  private final AtomicReference<KeyRecord> stored =
      new AtomicReference<>(
          new KeyRecord("k1", "n", List.of("admin"), "h", Instant.EPOCH, null, null));
  private final KeyCache cache =
      new KeyCache(this::lookup, Duration.ofSeconds(2), Duration.ofSeconds(4), clock::get);

  private CompletionStage<Tenant.LookupReply> lookup(String tenantId, String keyId) {
    lookups.incrementAndGet();
    return CompletableFuture.completedFuture(
        new Tenant.LookupReply(tenantId, stored.get(), null, true));
  }

  private static KeyRecord revoked() {
    return new KeyRecord("k1", "n", List.of("admin"), "h", Instant.EPOCH, Instant.EPOCH, null);
  }

  private KeyRecord get() {
    return cache.get("t", "k1").toCompletableFuture().join().key();
  }

  @Test
  void aFreshAnswerCostsNoRoundTrip() {
    get();
    clock.set(Duration.ofMillis(1900).toNanos());
    get();
    get();
    assertEquals(1, lookups.get());
  }

  @Test
  void anAgingAnswerIsServedWhileItRefreshesInTheBackground() {
    get();
    stored.set(revoked());
    clock.set(Duration.ofMillis(2500).toNanos());
    assertNull(get().revokedAt(), "served from cache while refreshing");
    assertEquals(2, lookups.get());
    assertEquals(Instant.EPOCH, get().revokedAt(), "the refreshed answer is used next");
  }

  @Test
  void aRevocationIsSeenOnceTheAnswerExpires() {
    get();
    stored.set(revoked());
    clock.set(Duration.ofSeconds(4).toNanos());
    assertEquals(Instant.EPOCH, get().revokedAt());
  }

  @Test
  void invalidationForgetsAtOnce() {
    get();
    cache.invalidate("t", "k1");
    get();
    assertEquals(2, lookups.get());
  }

  @Test
  void aFailedLookupIsNotCached() {
    var failing =
        new KeyCache(
            (t, k) -> {
              lookups.incrementAndGet();
              return CompletableFuture.failedFuture(new IllegalStateException("down"));
            },
            Duration.ofSeconds(2),
            Duration.ofSeconds(4),
            clock::get);
    assertThrows(
        CompletionException.class, () -> failing.get("t", "k1").toCompletableFuture().join());
    assertThrows(
        CompletionException.class, () -> failing.get("t", "k1").toCompletableFuture().join());
    assertEquals(2, lookups.get());
  }
}
