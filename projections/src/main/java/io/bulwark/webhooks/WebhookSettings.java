package io.bulwark.webhooks;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * How the dispatcher sends ({@code bulwark.webhooks} in reference.conf): the retry schedule, the
 * timeout of one attempt, how many deliveries may be in flight per node and per endpoint (so one
 * slow endpoint cannot take every slot), the claim lease, and the per-endpoint breaker.
 */
public record WebhookSettings(
    RetrySchedule schedule,
    Duration attemptTimeout,
    int maxInFlight,
    int maxInFlightPerEndpoint,
    Duration lease,
    Duration pollInterval,
    int breakerFailures,
    Duration breakerOpenFor,
    Duration breakerMaxOpenFor,
    int retentionDays) {

  public static WebhookSettings fromConfig(Config root) {
    Config c = root.getConfig("bulwark.webhooks");
    var settings =
        new WebhookSettings(
            RetrySchedule.parse(c.getString("retry-schedule"), c.getDouble("jitter")),
            c.getDuration("attempt-timeout"),
            c.getInt("max-in-flight"),
            c.getInt("max-in-flight-per-endpoint"),
            c.getDuration("lease"),
            c.getDuration("poll-interval"),
            c.getInt("breaker.failures"),
            c.getDuration("breaker.open-for"),
            c.getDuration("breaker.max-open-for"),
            c.getInt("retention-days"));
    if (settings.maxInFlightPerEndpoint < 1
        || settings.maxInFlight < settings.maxInFlightPerEndpoint) {
      throw new IllegalArgumentException(
          "bulwark.webhooks: max-in-flight-per-endpoint must be at least 1 and at most"
              + " max-in-flight");
    }
    if (settings.lease.compareTo(settings.attemptTimeout.multipliedBy(2)) < 0) {
      throw new IllegalArgumentException(
          "bulwark.webhooks: the lease must be at least twice the attempt timeout");
    }
    return settings;
  }
}
