package io.bulwark.http.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AdmissionTest {
  private final AtomicLong nanos = new AtomicLong();

  private static final Map<Priority, Double> SHARES =
      Map.of(Priority.CRITICAL, 1.0, Priority.STANDARD, 0.8, Priority.SHEDDABLE, 0.5);

  private Admission of(AdmissionSettings.Mode mode, int initial, int min, int max) {
    return new Admission(
        new AdmissionSettings(mode, Duration.ofMillis(100), 0.9, initial, min, max, SHARES, 0.5),
        nanos::get);
  }

  private Admission fixed(int limit) {
    return of(AdmissionSettings.Mode.FIXED, limit, 1, limit);
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
