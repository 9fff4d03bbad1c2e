package io.bulwark.http.limits;

import com.netflix.concurrency.limits.Limit;
import com.netflix.concurrency.limits.limit.FixedLimit;
import com.netflix.concurrency.limits.limit.Gradient2Limit;
import com.netflix.concurrency.limits.limit.WindowedLimit;
import com.netflix.concurrency.limits.limit.window.PercentileSampleWindowFactory;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
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
 * Writes and strong reads that find no permit free wait for one in a {@link WaitingRoom} for a
 * bounded time, when the wait they can expect fits in it; lists, tenants over their fair share, and
 * requests that could not be served in time are refused at once.
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
  private final WaitingRoom<Permit> room;

  public Admission(AdmissionSettings settings, LongSupplier nanoClock) {
    this.settings = settings;
    this.nanoClock = nanoClock;
    this.limit = limitFor(settings);
    this.room = new WaitingRoom<>(settings.queueWait(), this::tryAcquire, this::limit);
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
      giveBack();
      long held = nanoClock.getAsLong() - startNanos;
      limit.onSample(startNanos, held, inFlightAtStart, dropped);
      room.held(held);
      room.admit(Permit::cancel);
    }

    /** Back unused (its waiter had given up): no work was done, so nothing is learned from it. */
    private void cancel() {
      synchronized (this) {
        if (released) {
          return;
        }
        released = true;
      }
      giveBack();
    }

    private void giveBack() {
      inFlight.decrementAndGet();
      perTenant.computeIfPresent(tenant, (k, n) -> n.decrementAndGet() <= 0 ? null : n);
    }
  }

  /**
   * Admits a request now, or lets it wait for a permit (writes and strong reads, when the wait it
   * can expect fits in {@code queue-wait}), or refuses it: an empty answer, now or when its wait
   * ran out.
   */
  public CompletionStage<Optional<Permit>> acquire(Priority priority, String tenant) {
    if (room.size() == 0) {
      var now = tryAcquire(priority, tenant);
      if (now.isPresent()) {
        return CompletableFuture.completedFuture(now);
      }
    }
    int max = limit.getLimit();
    boolean beyondShare =
        inFlight.get() >= max * settings.contendedAbove() && held(tenant) > fairShare(max);
    if (!room.enabled() || priority == Priority.SHEDDABLE || beyondShare) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    return room.enter(priority, tenant, Permit::cancel);
  }

  /**
   * Admits a request of {@code tenant} (any stable key) in class {@code priority} now, or refuses;
   * never waits.
   */
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
    int held = held(tenant);
    return held > 0 && held >= fairShare(max);
  }

  private int held(String tenant) {
    AtomicInteger held = perTenant.get(tenant);
    return held == null ? 0 : held.get();
  }

  /** An equal split of the limit among the tenants in flight now. */
  private int fairShare(int max) {
    int active = Math.max(1, perTenant.size());
    return Math.max(1, (int) Math.ceil((double) max / active));
  }

  public int limit() {
    return limit.getLimit();
  }

  public int inFlight() {
    return inFlight.get();
  }

  /** Requests waiting for a permit now. */
  public int waiting() {
    return room.size();
  }
}
