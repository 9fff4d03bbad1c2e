package io.bulwark.http.limits;

import com.netflix.concurrency.limits.Limit;
import com.netflix.concurrency.limits.limit.FixedLimit;
import com.netflix.concurrency.limits.limit.Gradient2Limit;
import com.netflix.concurrency.limits.limit.WindowedLimit;
import com.netflix.concurrency.limits.limit.window.PercentileSampleWindowFactory;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Load shedding: a bound on the requests one node works on at once, adapted to latency. By default
 * the bound keeps a percentile of latency under a target (AIMD over short windows: a window whose
 * percentile passes the target cuts the limit, by a tenth or more, a busy window within it adds
 * one), so under overload the node works on as much as it can finish in time and refuses the rest.
 * Each priority class may fill only its share of the limit, so as load grows sheddable requests are
 * refused first and critical ones last. Under contention a tenant may hold no more than an equal
 * split of the limit among the tenants now in flight, so one tenant's flood cannot take a class.
 * Refusal is immediate: nothing waits in a queue.
 */
public final class Admission {
  /** Windows short enough to react within a second or two of a spike. */
  private static final long WINDOW_MILLIS = 250;

  /** More samples than a window of this length can hold at thousands of requests a second. */
  private static final int WINDOW_CAPACITY = 2_000;

  private final AdmissionSettings settings;
  private final Limit limit;
  private final LongSupplier nanoClock;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final ConcurrentHashMap<String, AtomicInteger> perTenant = new ConcurrentHashMap<>();

  public Admission(AdmissionSettings settings, LongSupplier nanoClock) {
    this.settings = settings;
    this.nanoClock = nanoClock;
    this.limit = limitFor(settings);
  }

  private static Limit limitFor(AdmissionSettings settings) {
    return switch (settings.mode()) {
      case LATENCY_TARGET -> latencyTarget(settings);
      case GRADIENT ->
          WindowedLimit.newBuilder()
              .build(
                  Gradient2Limit.newBuilder()
                      .initialLimit(settings.initialLimit())
                      .minLimit(settings.minLimit())
                      .maxConcurrency(settings.maxLimit())
                      .build());
      case FIXED -> FixedLimit.of(settings.initialLimit());
    };
  }

  private static Limit latencyTarget(AdmissionSettings settings) {
    return WindowedLimit.newBuilder()
        .minWindowTime(WINDOW_MILLIS, TimeUnit.MILLISECONDS)
        .maxWindowTime(WINDOW_MILLIS, TimeUnit.MILLISECONDS)
        .sampleWindowFactory(
            PercentileSampleWindowFactory.of(settings.targetPercentile(), WINDOW_CAPACITY))
        .build(
            new LatencyTargetLimit(
                settings.initialLimit(),
                settings.minLimit(),
                settings.maxLimit(),
                settings.targetLatency().toNanos()));
  }

  /** A request being worked on; {@link #release} it exactly once when its answer is ready. */
  public final class Permit {
    private final String tenant;
    private final long startNanos;
    private final int inFlightAtStart;
    private boolean released;

    private Permit(String tenant, long startNanos, int inFlightAtStart) {
      this.tenant = tenant;
      this.startNanos = startNanos;
      this.inFlightAtStart = inFlightAtStart;
    }

    /**
     * {@code dropped}: the work failed for lack of capacity (a timeout), which shrinks the limit.
     */
    public void release(boolean dropped) {
      synchronized (this) {
        if (released) {
          return;
        }
        released = true;
      }
      inFlight.decrementAndGet();
      perTenant.computeIfPresent(tenant, (k, n) -> n.decrementAndGet() <= 0 ? null : n);
      limit.onSample(startNanos, nanoClock.getAsLong() - startNanos, inFlightAtStart, dropped);
    }
  }

  /** Admits a request of {@code tenant} (any stable key) in class {@code priority}, or refuses. */
  public Optional<Permit> tryAcquire(Priority priority, String tenant) {
    int max = limit.getLimit();
    int ceiling = (int) Math.max(1, Math.floor(max * settings.shares().get(priority)));
    while (true) {
      int current = inFlight.get();
      if (current >= ceiling) {
        return Optional.empty();
      }
      if (current >= max * settings.contendedAbove() && overFairShare(tenant, max)) {
        return Optional.empty();
      }
      if (inFlight.compareAndSet(current, current + 1)) {
        perTenant.compute(
            tenant,
            (k, n) -> {
              AtomicInteger count = n == null ? new AtomicInteger() : n;
              count.incrementAndGet();
              return count;
            });
        return Optional.of(new Permit(tenant, nanoClock.getAsLong(), current + 1));
      }
    }
  }

  private boolean overFairShare(String tenant, int max) {
    AtomicInteger held = perTenant.get(tenant);
    if (held == null) {
      return false;
    }
    int active = Math.max(1, perTenant.size());
    int fair = Math.max(1, (int) Math.ceil((double) max / active));
    return held.get() >= fair;
  }

  public int limit() {
    return limit.getLimit();
  }

  public int inFlight() {
    return inFlight.get();
  }
}
