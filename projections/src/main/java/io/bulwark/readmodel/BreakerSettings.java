package io.bulwark.readmodel;

import com.typesafe.config.Config;
import java.time.Duration;

/** {@code bulwark.database-breaker}: the probe's pace and the query breaker's thresholds. */
public record BreakerSettings(
    Duration probeInterval,
    Duration probeTimeout,
    int maxFailures,
    Duration callTimeout,
    Duration resetTimeout,
    Duration maxResetTimeout) {

  public static BreakerSettings fromConfig(Config config) {
    Config c = config.getConfig("bulwark.database-breaker");
    return new BreakerSettings(
        c.getDuration("probe-interval"),
        c.getDuration("probe-timeout"),
        c.getInt("queries.max-failures"),
        c.getDuration("queries.call-timeout"),
        c.getDuration("queries.reset-timeout"),
        c.getDuration("queries.max-reset-timeout"));
  }
}
