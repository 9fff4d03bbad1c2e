package io.bulwark.http.limits;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.bulwark.domain.tenant.TenantLimits;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.TokensInheritanceStrategy;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.IntSupplier;

/**
 * The token buckets of one node: per client IP (before authentication), per IP for failed
 * authentications, and per tenant for writes and reads. A tenant's limit is for the whole cluster:
 * this node enforces its share, the limit divided by the API nodes now serving (ADR 0008), and
 * re-shapes the bucket whenever that count or the tenant's limits change.
 */
public final class RateLimiter {
  /** Buckets idle this long are dropped: by then they are full, so nothing is forgotten. */
  private static final Duration IDLE = Duration.ofMinutes(10);

  public enum Kind {
    WRITE("tenant-write"),
    READ("tenant-read");

    final String policy;

    Kind(String policy) {
      this.policy = policy;
    }
  }

  private final LimitSettings settings;
  private final IntSupplier nodes;
  private final TimeMeter clock;
  private final Cache<String, Bucket> ipBuckets;
  private final Cache<String, Bucket> authFailureBuckets;
  private final Cache<String, Shared> tenantBuckets;

  public RateLimiter(LimitSettings settings, IntSupplier nodes, TimeMeter clock) {
    this.settings = settings;
    this.nodes = nodes;
    this.clock = clock;
    this.ipBuckets = cache(settings.maxTrackedIps());
    this.authFailureBuckets = cache(settings.maxTrackedIps());
    this.tenantBuckets = cache(settings.maxTrackedIps());
  }

  public static RateLimiter create(LimitSettings settings, IntSupplier nodes) {
    return new RateLimiter(settings, nodes, TimeMeter.SYSTEM_NANOTIME);
  }

  private static <V> Cache<String, V> cache(long maxSize) {
    return Caffeine.newBuilder().maximumSize(maxSize).expireAfterAccess(IDLE).build();
  }

  /** One request from {@code ip}, counted before anything else is looked at. */
  public RateDecision tryIp(String ip) {
    Quota quota = settings.perIp();
    return decide(quota, ipBuckets.get(ip, k -> bucket(quota, 1)), 1);
  }

  /**
   * Whether {@code ip} has spent its failed authentications: its next request is refused before its
   * key is looked at. Returns the refusal, or null when the IP may try.
   */
  public RateDecision authLockout(String ip) {
    Bucket bucket = authFailureBuckets.getIfPresent(ip);
    if (bucket == null || bucket.getAvailableTokens() > 0) {
      return null;
    }
    return decide(settings.authFailures(), bucket, 1);
  }

  /** Counts a failed authentication from {@code ip}. */
  public void authFailed(String ip) {
    Quota quota = settings.authFailures();
    authFailureBuckets.get(ip, k -> bucket(quota, 1)).tryConsume(1);
  }

  /**
   * One request of {@code tenantId}; {@code own} is the tenant's own limits, or null for the
   * defaults.
   */
  public RateDecision tryTenant(String tenantId, TenantLimits own, Kind kind) {
    Quota quota = quota(own, kind);
    int share = Math.max(1, nodes.getAsInt());
    return decide(quota, tenantBucket(tenantId, kind, quota, share), share);
  }

  /**
   * Waits for one token of the tenant's bucket instead of refusing: how a stream of writes (a batch
   * upload) is paced to the tenant's limit, so a fast client is slowed rather than refused.
   */
  public CompletableFuture<Void> awaitTenant(
      String tenantId, TenantLimits own, Kind kind, ScheduledExecutorService scheduler) {
    Quota quota = quota(own, kind);
    int share = Math.max(1, nodes.getAsInt());
    return tenantBucket(tenantId, kind, quota, share).asScheduler().consume(1, scheduler);
  }

  private Quota quota(TenantLimits own, Kind kind) {
    TenantLimits limits = own != null ? own : settings.tenantDefaults();
    return kind == Kind.WRITE
        ? new Quota(kind.policy, limits.writesPerSecond(), limits.writeBurst())
        : new Quota(kind.policy, limits.readsPerSecond(), limits.readBurst());
  }

  /** The tenant's bucket on this node, shaped for {@code quota} and the current share. */
  private Bucket tenantBucket(String tenantId, Kind kind, Quota quota, int share) {
    Shared shared =
        tenantBuckets.get(
            tenantId + "|" + kind, k -> new Shared(bucket(quota, share), quota, share));
    return shared.shapedFor(quota, share);
  }

  /**
   * Consumes one token. Remaining requests are scaled back up by {@code share}: with traffic spread
   * evenly over the nodes that is what the whole cluster still admits.
   */
  private static RateDecision decide(Quota quota, Bucket bucket, int share) {
    ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
    long remaining = Math.min(quota.burst(), probe.getRemainingTokens() * share);
    long reset = seconds(probe.getNanosToWaitForReset());
    if (probe.isConsumed()) {
      return new RateDecision(quota, true, remaining, reset, 0);
    }
    return new RateDecision(
        quota, false, 0, reset, Math.max(1, seconds(probe.getNanosToWaitForRefill())));
  }

  private static long seconds(long nanos) {
    return (nanos + 999_999_999L) / 1_000_000_000L;
  }

  private Bucket bucket(Quota quota, int share) {
    return Bucket.builder()
        .withCustomTimePrecision(clock)
        .addLimit(bandwidth(quota, share))
        .build();
  }

  private static BucketConfiguration configuration(Quota quota, int share) {
    return BucketConfiguration.builder().addLimit(bandwidth(quota, share)).build();
  }

  /**
   * {@code perSecond / share} tokens a second, written as whole tokens over a period of {@code
   * share} seconds (or minutes, for rates that are not whole per second) so that it stays exact;
   * the burst is shared too, rounded up.
   */
  private static Bandwidth bandwidth(Quota quota, int share) {
    long capacity = Math.max(1, (long) Math.ceil((double) quota.burst() / share));
    boolean whole = quota.perSecond() == Math.rint(quota.perSecond());
    long tokens =
        whole ? (long) quota.perSecond() : Math.max(1, Math.round(quota.perSecond() * 60));
    Duration period = whole ? Duration.ofSeconds(share) : Duration.ofMinutes(share);
    return Bandwidth.builder()
        .capacity(capacity)
        .refillGreedy(tokens, period)
        .initialTokens(capacity)
        .build();
  }

  /** A tenant's bucket on this node with the quota and share it was shaped for. */
  private static final class Shared {
    private final Bucket bucket;
    private Quota quota;
    private int share;

    Shared(Bucket bucket, Quota quota, int share) {
      this.bucket = bucket;
      this.quota = quota;
      this.share = share;
    }

    synchronized Bucket shapedFor(Quota wanted, int wantedShare) {
      if (!wanted.equals(quota) || wantedShare != share) {
        bucket.replaceConfiguration(
            configuration(wanted, wantedShare), TokensInheritanceStrategy.PROPORTIONALLY);
        quota = wanted;
        share = wantedShare;
      }
      return bucket;
    }
  }
}
