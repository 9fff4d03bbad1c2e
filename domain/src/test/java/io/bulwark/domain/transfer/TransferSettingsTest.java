package io.bulwark.domain.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TransferSettingsTest {

  private final TransferSettings settings =
      new TransferSettings(
          Duration.ofSeconds(3),
          Duration.ofMillis(100),
          Duration.ofSeconds(10),
          Duration.ofHours(1),
          Duration.ofHours(1));

  @Test
  void settingsComeFromTheReferenceConfiguration() {
    assertEquals(
        new TransferSettings(
            Duration.ofSeconds(3),
            Duration.ofMillis(100),
            Duration.ofSeconds(10),
            Duration.ofSeconds(10),
            Duration.ofSeconds(2)),
        TransferSettings.fromConfig(ConfigFactory.load()));
  }

  @Test
  void backoffDoublesPerAttemptWithJitterBetweenHalfAndAll() {
    assertEquals(Duration.ofMillis(100), settings.backoff(1, 0.0));
    assertEquals(Duration.ofMillis(200), settings.backoff(1, 1.0));
    assertEquals(Duration.ofMillis(400), settings.backoff(2, 1.0));
    assertEquals(Duration.ofMillis(600), settings.backoff(3, 0.5));
  }

  @Test
  void backoffIsCappedAtTheMaximumEvenAfterManyAttempts() {
    assertEquals(Duration.ofSeconds(10), settings.backoff(7, 1.0));
    assertEquals(Duration.ofSeconds(10), settings.backoff(1_000, 1.0));
    assertEquals(Duration.ofSeconds(5), settings.backoff(Integer.MAX_VALUE, 0.0));
  }
}
