package io.bulwark.http.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AdmissionTest {
  private final AtomicLong nanos = new AtomicLong();

  private static final Map<Priority, Double> SHARES =
      Map.of(Priority.CRITICAL, 1.0, Priority.STANDARD, 0.8, Priority.SHEDDABLE, 0.5);

  private Admission of(AdmissionSettings.Mode mode, int initial, int min, int max) {
    return new Admission(
        new AdmissionSettings(
            mode, Duration.ofMillis(100), 0.9, initial, min, max, SHARES, 0.5, Duration.ZERO),
        nanos::get);
  }

  private Admission fixed(int limit) {
    return of(AdmissionSettings.Mode.FIXED, limit, 1, limit);
  }

  /** A fixed limit whose requests may wait up to {@code wait} for a permit. */
  private Admission queueing(int limit, Duration wait) {
    return new Admission(
        new AdmissionSettings(
            AdmissionSettings.Mode.FIXED,
            Duration.ofMillis(100),
            0.9,
            limit,
            1,
            limit,
            SHARES,
            0.5,
            wait),
        nanos::get);
  }

  private static Admission.Permit now(CompletionStage<Optional<Admission.Permit>> stage) {
    var answer = stage.toCompletableFuture();
    assertTrue(answer.isDone(), "answered at once");
    return answer.join().orElseThrow();
  }

  private static boolean refusedAtOnce(CompletionStage<Optional<Admission.Permit>> stage) {
    var answer = stage.toCompletableFuture();
    return answer.isDone() && answer.join().isEmpty();
  }

  private static List<Admission.Permit> fill(
      Admission admission, Priority priority, String tenant, int attempts) {
    List<Admission.Permit> permits = new ArrayList<>();
    for (int i = 0; i < attempts; i++) {
      admission.tryAcquire(priority, tenant).ifPresent(permits::add);
    }
    return permits;
  }

  @Test
  void sheddableWorkIsRefusedFirstAndCriticalWorkKeepsTheRest() {
    var admission = fixed(10);
    assertEquals(5, fill(admission, Priority.SHEDDABLE, "a", 20).size());
    assertEquals(3, fill(admission, Priority.STANDARD, "b", 20).size());
    assertEquals(2, fill(admission, Priority.CRITICAL, "c", 20).size());
    assertFalse(admission.tryAcquire(Priority.CRITICAL, "d").isPresent());
    assertEquals(10, admission.inFlight());
  }

  @Test
  void releasingAPermitMakesRoomAgainOnce() {
    var admission = fixed(2);
    var permits = fill(admission, Priority.CRITICAL, "a", 2);
    assertFalse(admission.tryAcquire(Priority.CRITICAL, "a").isPresent());
    permits.get(0).release(false);
    permits.get(0).release(false);
    assertEquals(1, admission.inFlight());
    assertTrue(admission.tryAcquire(Priority.CRITICAL, "a").isPresent());
  }

  @Test
  void underContentionOneTenantCannotTakeTheWholeClass() {
    var admission = fixed(20);
    var flood = fill(admission, Priority.CRITICAL, "noisy", 100);
    assertEquals(20, flood.size(), "alone, a tenant may use the whole node");
    flood.subList(0, 10).forEach(p -> p.release(false));

    assertTrue(admission.tryAcquire(Priority.CRITICAL, "quiet").isPresent());
    assertFalse(
        admission.tryAcquire(Priority.CRITICAL, "noisy").isPresent(),
        "with two tenants in flight, the noisy one is held to half the limit");
    assertEquals(8, fill(admission, Priority.CRITICAL, "quiet", 8).size());
  }

  @Test
  void atTheLimitAWriteWaitsForAPermitAndWaitersAreServedInArrivalOrder() {
    var admission = queueing(2, Duration.ofSeconds(5));
    var first = now(admission.acquire(Priority.CRITICAL, "a"));
    var second = now(admission.acquire(Priority.CRITICAL, "a"));
    var third = admission.acquire(Priority.CRITICAL, "a").toCompletableFuture();
    var fourth = admission.acquire(Priority.CRITICAL, "a").toCompletableFuture();
    assertFalse(third.isDone());
    assertEquals(2, admission.waiting());

    first.release(false);
    assertTrue(third.join().isPresent(), "the first waiter gets the first permit back");
    assertFalse(fourth.isDone());
    var late = admission.acquire(Priority.CRITICAL, "a").toCompletableFuture();
    assertFalse(late.isDone(), "a newcomer queues behind the waiters, even with a free moment");

    second.release(false);
    assertTrue(fourth.join().isPresent());
    assertFalse(late.isDone());
    third.join().get().release(false);
    assertTrue(late.join().isPresent());
    assertEquals(0, admission.waiting());
    assertEquals(2, admission.inFlight());
  }

  @Test
  void aWaiterWhoseClassHasNoRoomKeepsItsPlaceWhileOthersGoAhead() {
    var admission = queueing(2, Duration.ofSeconds(5));
    var first = now(admission.acquire(Priority.CRITICAL, "a"));
    var second = now(admission.acquire(Priority.CRITICAL, "a"));
    // Strong reads may fill 80 % of a limit of 2: one permit.
    var read = admission.acquire(Priority.STANDARD, "a").toCompletableFuture();
    var write = admission.acquire(Priority.CRITICAL, "a").toCompletableFuture();

    first.release(false);
    assertFalse(read.isDone(), "one permit in use already fills the reads' share");
    assertTrue(write.join().isPresent(), "the write behind it goes ahead");
    second.release(false);
    write.join().get().release(false);
    assertTrue(read.join().isPresent(), "and the read gets the next free permit");
  }

  @Test
  void aRequestThatCouldNotBeServedInTimeIsRefusedAtOnce() {
    var admission = queueing(1, Duration.ofMillis(500));
    var permit = now(admission.acquire(Priority.CRITICAL, "a"));
    nanos.addAndGet(1_000_000_000); // a permit is held for a second
    permit.release(false);
    now(admission.acquire(Priority.CRITICAL, "a"));

    assertTrue(
        refusedAtOnce(admission.acquire(Priority.CRITICAL, "a")),
        "one ahead at a second each on a limit of one: a second's wait, past 500 ms");
    assertEquals(0, admission.waiting());
  }

  @Test
  void aWaiterWhoseTimeRunsOutIsRefusedAndNoPermitIsLost() throws Exception {
    var admission = queueing(1, Duration.ofMillis(50));
    var held = now(admission.acquire(Priority.CRITICAL, "a"));
    var waiter = admission.acquire(Priority.CRITICAL, "a").toCompletableFuture();

    assertTrue(waiter.get(5, TimeUnit.SECONDS).isEmpty(), "refused when its 50 ms ran out");
    assertEquals(0, admission.waiting());
    held.release(false);
    assertEquals(0, admission.inFlight());
    now(admission.acquire(Priority.CRITICAL, "a")).release(false);
  }

  @Test
  void listsAndTenantsOverTheirFairShareAreRefusedAtOnceRatherThanQueued() {
    var admission = queueing(10, Duration.ofSeconds(5));
    for (int i = 0; i < 5; i++) {
      now(admission.acquire(Priority.SHEDDABLE, "reader"));
    }
    assertTrue(refusedAtOnce(admission.acquire(Priority.SHEDDABLE, "reader")), "lists: 50 %");
    for (int i = 0; i < 4; i++) {
      now(admission.acquire(Priority.CRITICAL, "noisy"));
    }
    now(admission.acquire(Priority.CRITICAL, "quiet"));
    assertTrue(
        refusedAtOnce(admission.acquire(Priority.CRITICAL, "reader")),
        "three tenants share 10: 'reader' holds 5, more than its 4");
    assertFalse(
        admission.acquire(Priority.CRITICAL, "quiet").toCompletableFuture().isDone(),
        "'quiet' holds 1 of its 4: it waits");
  }

  private void runBusy(Admission admission, int rounds, long latencyNanos) {
    for (int round = 0; round < rounds; round++) {
      // Most of the limit, and never fewer than the 10 samples a window needs to count.
      int busy = Math.max(10, (int) (admission.limit() * 0.7));
      var permits = fill(admission, Priority.CRITICAL, "a", busy);
      nanos.addAndGet(latencyNanos);
      permits.forEach(p -> p.release(false));
      // Samples are folded into windows (250 ms for the latency target, a second for the
      // gradient): with this pause each round closes a latency-target window of its own.
      nanos.addAndGet(250_000_000);
    }
  }

  @Test
  void theGradientLimitShrinksWhenLatencyClimbs() {
    var admission = of(AdmissionSettings.Mode.GRADIENT, 100, 10, 200);
    // The limit moves only while the node is busy (more than half of it in flight).
    runBusy(admission, 200, 2_000_000);
    int steady = admission.limit();
    runBusy(admission, 200, 20_000_000);
    assertTrue(
        admission.limit() < steady,
        "limit " + admission.limit() + " should fall below " + steady + " as latency grows");
  }

  @Test
  void theLatencyTargetLimitFallsWhileBusyAndSlowAndGrowsWhileBusyAndFast() {
    var admission = of(AdmissionSettings.Mode.LATENCY_TARGET, 100, 10, 200);
    runBusy(admission, 20, 150_000_000);
    int afterSlow = admission.limit();
    assertTrue(afterSlow < 50, "20 slow busy windows cut the limit by a tenth each: " + afterSlow);
    runBusy(admission, 30, 150_000_000);
    assertEquals(10, admission.limit(), "never below min-limit");
    runBusy(admission, 20, 20_000_000);
    // The first fast window still holds most of the last slow round's samples.
    assertEquals(29, admission.limit(), "each fast busy window adds one");
  }

  @Test
  void theLatencyTargetLimitHoldsWhileIdleWhateverTheLatency() {
    var admission = of(AdmissionSettings.Mode.LATENCY_TARGET, 100, 10, 200);
    for (int round = 0; round < 50; round++) {
      // Twenty slow requests at a time: less than half the limit, so not a sign of overload.
      var permits = fill(admission, Priority.CRITICAL, "a", 20);
      nanos.addAndGet(500_000_000);
      permits.forEach(p -> p.release(false));
    }
    assertEquals(100, admission.limit());
  }

  @Test
  void afterASpikeFastQuietWindowsBringTheLimitBackToItsInitialValueAndNoFurther() {
    var admission = of(AdmissionSettings.Mode.LATENCY_TARGET, 30, 10, 200);
    runBusy(admission, 20, 150_000_000);
    assertEquals(10, admission.limit());
    for (int round = 0; round < 40; round++) {
      // Ten quick requests at a time, below half of any limit from 20 up: a quiet node.
      var permits = fill(admission, Priority.CRITICAL, "a", 10);
      nanos.addAndGet(5_000_000);
      permits.forEach(p -> p.release(false));
      nanos.addAndGet(250_000_000);
    }
    assertEquals(30, admission.limit());
  }
}
