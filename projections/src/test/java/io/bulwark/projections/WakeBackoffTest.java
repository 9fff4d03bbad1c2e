package io.bulwark.projections;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.bulwark.projections.PendingTransfers.Pending;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class WakeBackoffTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Pending A = new Pending("t", "a", T0);
  private static final Pending B = new Pending("t", "b", T0);

  @Test
  void aRowStillPendingIsWokenAgainAfterADelayThatDoublesUpToTheMaximum() {
    var backoff = new WakeBackoff(Duration.ofSeconds(10), Duration.ofSeconds(40), 100);
    assertEquals(List.of(A), backoff.due(List.of(A), T0).wake());
    assertEquals(List.of(), backoff.due(List.of(A), T0.plusSeconds(9)).wake());
    var second = backoff.due(List.of(A, B), T0.plusSeconds(10));
    assertEquals(List.of(A, B), second.wake());
    assertEquals(1, second.again(), "A is woken again, B for the first time");
    // A waits 20 s now, then 40 s, and never longer.
    assertEquals(List.of(), backoff.due(List.of(A), T0.plusSeconds(29)).wake());
    assertEquals(List.of(A), backoff.due(List.of(A), T0.plusSeconds(30)).wake());
    assertEquals(List.of(), backoff.due(List.of(A), T0.plusSeconds(69)).wake());
    assertEquals(List.of(A), backoff.due(List.of(A), T0.plusSeconds(70)).wake());
    assertEquals(List.of(A), backoff.due(List.of(A), T0.plusSeconds(110)).wake());
  }

  @Test
  void beyondItsCapacityTheLeastRecentlyWokenRowIsForgottenAndWokenAsNew() {
    var backoff = new WakeBackoff(Duration.ofMinutes(1), Duration.ofMinutes(10), 1);
    backoff.due(List.of(A), T0);
    backoff.due(List.of(B), T0);
    var due = backoff.due(List.of(A), T0.plusSeconds(1));
    assertEquals(List.of(A), due.wake());
    assertEquals(0, due.again());
  }
}
