package io.bulwark.http.limits;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.IntSupplier;

/**
 * Where a request within its limits waits for a permit when the node is at its concurrency limit,
 * rather than being refused at once (ADR 0027). First come, first served, each for at most {@code
 * maxWait}. A request enters only if the wait it can expect (those ahead of it, times the mean time
 * a permit is held, over the limit) fits in {@code maxWait}; otherwise the node is overloaded
 * beyond what a queue can absorb, and it is refused at once, as before. So a closed loop of clients
 * that keeps more requests in flight than the limit waits its turn (and costs no refusals to
 * retry), while an open flood past capacity still meets fast refusals.
 */
final class WaitingRoom<P> {
  private final Duration maxWait;
  private final BiFunction<Priority, String, Optional<P>> take;
  private final IntSupplier limit;
  private final ArrayDeque<Waiter<P>> waiters = new ArrayDeque<>();

  /** Mean time a permit is held, in nanoseconds: an exponentially weighted moving average. */
  private volatile double meanHeldNanos;

  private static final class Waiter<P> {
    final Priority priority;
    final String tenant;
    final CompletableFuture<Optional<P>> granted = new CompletableFuture<>();

    Waiter(Priority priority, String tenant) {
      this.priority = priority;
      this.tenant = tenant;
    }
  }

  /**
   * @param take tries to take a permit for a class and tenant now (the limit, the class's share and
   *     the tenant's fair share all apply)
   * @param limit the node's concurrency limit now
   */
  WaitingRoom(Duration maxWait, BiFunction<Priority, String, Optional<P>> take, IntSupplier limit) {
    this.maxWait = maxWait;
    this.take = take;
    this.limit = limit;
  }

  boolean enabled() {
    return !maxWait.isZero();
  }

  synchronized int size() {
    return waiters.size();
  }

  /** A permit was held this long: feeds the expected wait. */
  void held(long nanos) {
    double mean = meanHeldNanos;
    meanHeldNanos = mean == 0 ? nanos : mean + (nanos - mean) / 32;
  }

  /**
   * Queues a request that found no permit free, or refuses it (an empty answer, now) when the wait
   * it can expect does not fit in {@code maxWait}.
   */
  CompletionStage<Optional<P>> enter(Priority priority, String tenant, ReleaseUndo<P> undo) {
    var waiter = new Waiter<P>(priority, tenant);
    synchronized (this) {
      double expectedNanos = (waiters.size() + 1) * meanHeldNanos / Math.max(1, limit.getAsInt());
      if (expectedNanos > maxWait.toNanos()) {
        return CompletableFuture.completedFuture(Optional.empty());
      }
      waiters.add(waiter);
    }
    waiter
        .granted
        .completeOnTimeout(Optional.empty(), maxWait.toNanos(), TimeUnit.NANOSECONDS)
        .whenComplete(
            (permit, error) -> {
              synchronized (this) {
                waiters.remove(waiter);
              }
            });
    // A permit may have come free between the caller's attempt and this entry.
    admit(undo);
    return waiter.granted;
  }

  /**
   * Hands free permits to the waiters, oldest first; a waiter whose class or tenant has no room yet
   * keeps its place while younger ones of other classes or tenants go ahead. Call after a release.
   */
  void admit(ReleaseUndo<P> undo) {
    while (true) {
      Waiter<P> next = null;
      P permit = null;
      synchronized (this) {
        for (Iterator<Waiter<P>> it = waiters.iterator(); it.hasNext(); ) {
          Waiter<P> waiter = it.next();
          if (waiter.granted.isDone()) {
            it.remove();
            continue;
          }
          var taken = take.apply(waiter.priority, waiter.tenant);
          if (taken.isPresent()) {
            it.remove();
            next = waiter;
            permit = taken.get();
            break;
          }
        }
      }
      if (next == null) {
        return;
      }
      if (!next.granted.complete(Optional.of(permit))) {
        undo.undo(permit); // it timed out meanwhile: the permit goes back unused
      }
    }
  }

  /** Gives back a permit that was never used, without counting it as work done. */
  interface ReleaseUndo<P> {
    void undo(P permit);
  }
}
