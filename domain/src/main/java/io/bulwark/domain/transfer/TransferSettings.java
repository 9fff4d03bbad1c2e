package io.bulwark.domain.transfer;

import com.typesafe.config.Config;
import java.time.Duration;

/** Timing of the saga's steps, from {@code bulwark.transfers} in the configuration. */
public record TransferSettings(
    Duration stepTimeout,
    Duration minBackoff,
    Duration maxBackoff,
    Duration idleBeforePassivation,
    Duration idleAfterWake) {

  public static TransferSettings fromConfig(Config config) {
    Config c = config.getConfig("bulwark.transfers");
    return new TransferSettings(
        c.getDuration("step-timeout"),
        c.getDuration("retry-min-backoff"),
        c.getDuration("retry-max-backoff"),
        c.getDuration("idle-before-passivation"),
        c.getDuration("idle-after-wake"));
  }

  /** Exponential backoff with full jitter between half and all of the capped delay. */
  Duration backoff(int attempt, double random) {
    long capped =
        Math.min(maxBackoff.toMillis(), minBackoff.toMillis() * (1L << Math.min(attempt, 20)));
    return Duration.ofMillis((long) (capped * (0.5 + random / 2)));
  }
}
