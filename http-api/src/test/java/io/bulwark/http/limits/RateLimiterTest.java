package io.bulwark.http.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.domain.tenant.TenantLimits;
import io.github.bucket4j.TimeMeter;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The buckets on a hand-driven clock: exact counts, shares and the header figures. */
class RateLimiterTest {
  private final AtomicLong nanos = new AtomicLong();
  private final AtomicInteger nodes = new AtomicInteger(1);
  private final TimeMeter clock =
      new TimeMeter() {
        @Override
        public long currentTimeNanos() {
          return nanos.get();
        }

        @Override
        public boolean isWallClockBased() {
          return false;
        }
      };

  private final LimitSettings settings =
      new LimitSettings(
          new Quota("ip", 10, 20),
          new Quota("auth-failures", 0.5, 3),
          new TenantLimits(5, 10, 50, 100),
          List.of(),
          1000);
  private final RateLimiter limiter = new RateLimiter(settings, nodes::get, clock);

  private void advanceSeconds(double seconds) {
    nanos.addAndGet((long) (seconds * 1_000_000_000L));
  }

  private int admitted(int attempts, java.util.function.Supplier<RateDecision> request) {
    int allowed = 0;
    for (int i = 0; i < attempts; i++) {
      if (request.get().allowed()) {
        allowed++;
      }
    }
    return allowed;
  }

  @Test
  void aTenantGetsItsBurstThenItsRate() {
    assertEquals(10, admitted(50, () -> limiter.tryTenant("acme", null, RateLimiter.Kind.WRITE)));
    int sustained = 0;
    for (int second = 0; second < 10; second++) {
      advanceSeconds(1);
      sustained += admitted(50, () -> limiter.tryTenant("acme", null, RateLimiter.Kind.WRITE));
    }
    assertEquals(50, sustained, "5 writes a second for 10 seconds");
  }

  @Test
  void writesAndReadsAndTenantsHaveSeparateBuckets() {
    admitted(50, () -> limiter.tryTenant("acme", null, RateLimiter.Kind.WRITE));
    assertTrue(limiter.tryTenant("acme", null, RateLimiter.Kind.READ).allowed());
    assertTrue(limiter.tryTenant("globex", null, RateLimiter.Kind.WRITE).allowed());
  }

  @Test
  void aTenantsOwnLimitsReplaceTheDefaults() {
    var own = new TenantLimits(1, 2, 1, 2);
    assertEquals(2, admitted(10, () -> limiter.tryTenant("acme", own, RateLimiter.Kind.WRITE)));
  }

  @Test
  void aRefusalSaysWhenToRetryAndTheHeadersTellTheRest() {
    var own = new TenantLimits(2, 4, 1, 1);
    RateDecision first = limiter.tryTenant("acme", own, RateLimiter.Kind.WRITE);
    assertTrue(first.allowed());
    assertEquals(3, first.remaining());
    assertEquals(1, first.resetSeconds(), "one token refills in half a second");
    assertEquals("\"tenant-write\";q=4;w=2", first.quota().policyItem());
    assertEquals("\"tenant-write\";r=3;t=1", first.limitItem());
    admitted(3, () -> limiter.tryTenant("acme", own, RateLimiter.Kind.WRITE));

    RateDecision refused = limiter.tryTenant("acme", own, RateLimiter.Kind.WRITE);

    assertFalse(refused.allowed());
    assertEquals(0, refused.remaining());
    assertEquals(1, refused.retryAfterSeconds());
    assertEquals(2, refused.resetSeconds());
  }

  @Test
  void eachNodeEnforcesItsShareSoTwoNodesTogetherAdmitTheLimit() {
    nodes.set(2);
    var other = new RateLimiter(settings, nodes::get, clock);
    int total = admitted(50, () -> limiter.tryTenant("acme", null, RateLimiter.Kind.WRITE));
    total += admitted(50, () -> other.tryTenant("acme", null, RateLimiter.Kind.WRITE));
    for (int second = 0; second < 10; second++) {
      advanceSeconds(1);
      total += admitted(50, () -> limiter.tryTenant("acme", null, RateLimiter.Kind.WRITE));
      total += admitted(50, () -> other.tryTenant("acme", null, RateLimiter.Kind.WRITE));
    }
    // Each node: a burst of 5 (10 / 2), then 2.5 a second; together the limit, not twice it.
    assertEquals(10 + 50, total);
  }

  @Test
  void whenANodeLeavesTheOthersTakeOverItsShare() {
    nodes.set(2);
    admitted(50, () -> limiter.tryTenant("acme", null, RateLimiter.Kind.WRITE));
    nodes.set(1);
    advanceSeconds(10);
    assertEquals(10, admitted(50, () -> limiter.tryTenant("acme", null, RateLimiter.Kind.WRITE)));
  }

  @Test
  void theIpBucketIsPerAddress() {
    assertEquals(20, admitted(30, () -> limiter.tryIp("10.0.0.1")));
    assertTrue(limiter.tryIp("10.0.0.2").allowed());
    advanceSeconds(1);
    assertEquals(10, admitted(30, () -> limiter.tryIp("10.0.0.1")));
  }

  @Test
  void failedAuthenticationsLockAnAddressOutUntilItsBucketRefills() {
    assertNull(limiter.authLockout("10.0.0.9"));
    for (int i = 0; i < 3; i++) {
      limiter.authFailed("10.0.0.9");
    }
    RateDecision lockout = limiter.authLockout("10.0.0.9");
    assertNotNull(lockout);
    assertFalse(lockout.allowed());
    assertEquals(2, lockout.retryAfterSeconds(), "one failure a second refills every 2 s");
    assertNull(limiter.authLockout("10.0.0.8"));
    advanceSeconds(2);
    assertNull(limiter.authLockout("10.0.0.9"));
  }
}
