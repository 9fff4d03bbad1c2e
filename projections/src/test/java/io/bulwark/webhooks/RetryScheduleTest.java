package io.bulwark.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetryScheduleTest {
  @Test
  void theDefaultIsSvixLikeAndGivesEightAttempts() {
    var schedule = RetrySchedule.parse(RetrySchedule.DEFAULT, 0);
    assertEquals(
        List.of(
            Duration.ofSeconds(5),
            Duration.ofMinutes(5),
            Duration.ofMinutes(30),
            Duration.ofHours(2),
            Duration.ofHours(5),
            Duration.ofHours(10),
            Duration.ofHours(10)),
        schedule.steps());
    assertEquals(8, schedule.maxAttempts());
  }

  @Test
  void theNthFailureWaitsTheNthStepAndTheLastMakesADeadLetter() {
    var schedule = RetrySchedule.parse("5s,5m,2h", 0);
    assertEquals(Optional.of(Duration.ofSeconds(5)), schedule.next(1, Optional.empty(), () -> 0.5));
    assertEquals(Optional.of(Duration.ofMinutes(5)), schedule.next(2, Optional.empty(), () -> 0.5));
    assertEquals(Optional.of(Duration.ofHours(2)), schedule.next(3, Optional.empty(), () -> 0.5));
    assertEquals(Optional.empty(), schedule.next(4, Optional.empty(), () -> 0.5));
  }

  @Test
  void jitterSpreadsEachWaitWithinItsBounds() {
    var schedule = RetrySchedule.parse("100s", 0.2);
    assertEquals(Duration.ofSeconds(80), schedule.next(1, Optional.empty(), () -> 0.0).get());
    assertEquals(Duration.ofSeconds(120), schedule.next(1, Optional.empty(), () -> 1.0).get());
    for (int i = 0; i < 1_000; i++) {
      long ms = schedule.next(1, Optional.empty(), Math::random).get().toMillis();
      assertTrue(ms >= 80_000 && ms <= 120_000, ms + " ms");
    }
  }

  @Test
  void retryAfterIsHonouredWhenLongerButNeverBeyondAnHourOrTheLongestStep() {
    var schedule = RetrySchedule.parse("1s,2s", 0);
    var asked = Optional.of(Duration.ofSeconds(30));
    assertEquals(Duration.ofSeconds(30), schedule.next(1, asked, () -> 0.5).get());
    assertEquals(
        Duration.ofSeconds(1), schedule.next(1, Optional.of(Duration.ZERO), () -> 0.5).get());
    assertEquals(
        Duration.ofHours(1), schedule.next(1, Optional.of(Duration.ofDays(365)), () -> 0.5).get());
    var longSchedule = RetrySchedule.parse("10h", 0);
    assertEquals(
        Duration.ofHours(10),
        longSchedule.next(1, Optional.of(Duration.ofDays(2)), () -> 0.5).get());
  }

  @Test
  void badSchedulesAreRefusedNamingTheStep() {
    var e =
        assertThrows(IllegalArgumentException.class, () -> RetrySchedule.parse("5s,5 min", 0.2));
    assertTrue(e.getMessage().contains("'5 min'"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> RetrySchedule.parse(" , ", 0.2));
    assertThrows(IllegalArgumentException.class, () -> RetrySchedule.parse("0s", 0.2));
    assertThrows(IllegalArgumentException.class, () -> RetrySchedule.parse("1s", 1.0));
  }

  @Test
  void retryAfterReadsDeltaSecondsOnly() {
    assertEquals(Optional.of(Duration.ofSeconds(120)), WebhookSender.retryAfter(" 120 "));
    assertEquals(Optional.empty(), WebhookSender.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT"));
    assertEquals(Optional.empty(), WebhookSender.retryAfter("-5"));
  }
}
