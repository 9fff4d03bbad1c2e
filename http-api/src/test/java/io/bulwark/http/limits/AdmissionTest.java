package io.bulwark.http.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AdmissionTest {
  private final AtomicLong nanos = new AtomicLong();

  private Admission fixed(int limit) {
    return new Admission(
        new AdmissionSettings(
            false,
            limit,
            1,
            limit,
            Map.of(Priority.CRITICAL, 1.0, Priority.STANDARD, 0.8, Priority.SHEDDABLE, 0.5),
            0.5),
        nanos::get);
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
      int busy = (int) (admission.limit() * 0.7);
      var permits = fill(admission, Priority.CRITICAL, "a", busy);
      nanos.addAndGet(latencyNanos);
      permits.forEach(p -> p.release(false));
      nanos.addAndGet(50_000_000); // samples are folded into windows of at least a second
    }
  }

  @Test
  void theAdaptiveLimitShrinksWhenLatencyClimbs() {
    var admission =
        new Admission(
            new AdmissionSettings(
                true,
                100,
                10,
                200,
                Map.of(Priority.CRITICAL, 1.0, Priority.STANDARD, 0.8, Priority.SHEDDABLE, 0.5),
                0.5),
            nanos::get);
    // The limit moves only while the node is busy (more than half of it in flight).
    runBusy(admission, 200, 2_000_000);
    int steady = admission.limit();
    runBusy(admission, 200, 20_000_000);
    assertTrue(
        admission.limit() < steady,
        "limit " + admission.limit() + " should fall below " + steady + " as latency grows");
  }
}
