package io.bulwark.http.limits;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * {@code bulwark.admission}: the node's concurrency limit (how it adapts, or fixed), how much of it
 * each priority class may fill, and how long a request may wait for a permit.
 */
public record AdmissionSettings(
    Mode mode,
    Duration targetLatency,
    double targetPercentile,
    int initialLimit,
    int minLimit,
    int maxLimit,
    Map<Priority, Double> shares,
    double contendedAbove,
    Duration queueWait) {

  public static final String PATH = "bulwark.admission";

  /** How the limit moves. */
  public enum Mode {
    /** Keeps a percentile of latency under a target: AIMD on windows of samples. */
    LATENCY_TARGET,
    /** Netflix Gradient2: follows the ratio of long-run to short-run latency. */
    GRADIENT,
    /** Stays at the initial limit. */
    FIXED
  }

  public static AdmissionSettings fromConfig(Config config) {
    Config c = config.getConfig(PATH);
    String name = c.getString("limit");
    Mode mode =
        switch (name) {
          case "latency-target" -> Mode.LATENCY_TARGET;
          case "gradient" -> Mode.GRADIENT;
          case "fixed" -> Mode.FIXED;
          default ->
              throw new ConfigException.BadValue(
                  c.origin(),
                  PATH + ".limit",
                  "must be latency-target, gradient or fixed, not " + name);
        };
    Duration target = c.getDuration("target-latency");
    if (target.toMillis() < 1 || target.toSeconds() > 60) {
      throw new ConfigException.BadValue(
          c.origin(), PATH + ".target-latency", "must be from 1ms to 60s, not " + target);
    }
    double percentile = fraction(c, "target-percentile");
    if (percentile >= 1) {
      throw new ConfigException.BadValue(
          c.origin(), PATH + ".target-percentile", "must be below 1, not " + percentile);
    }
    int initial = atLeastOne(c, "initial-limit");
    int min = atLeastOne(c, "min-limit");
    int max = atLeastOne(c, "max-limit");
    if (min > initial || initial > max) {
      throw new ConfigException.BadValue(
          c.origin(), PATH + ".initial-limit", "must lie between min-limit and max-limit");
    }
    Map<Priority, Double> shares = new EnumMap<>(Priority.class);
    for (Priority p : Priority.values()) {
      shares.put(p, fraction(c, "shares." + p.label()));
    }
    if (shares.get(Priority.CRITICAL) < shares.get(Priority.STANDARD)
        || shares.get(Priority.STANDARD) < shares.get(Priority.SHEDDABLE)) {
      throw new ConfigException.BadValue(
          c.origin(),
          PATH + ".shares",
          "must not grow from critical to standard to sheddable (sheddable is shed first)");
    }
    return new AdmissionSettings(
        mode,
        target,
        percentile,
        initial,
        min,
        max,
        Map.copyOf(shares),
        fraction(c, "contended-above"),
        queueWait(c));
  }

  private static Duration queueWait(Config c) {
    Duration wait = c.getDuration("queue-wait");
    if (wait.isNegative() || wait.toSeconds() > 10) {
      throw new ConfigException.BadValue(
          c.origin(), PATH + ".queue-wait", "must be from 0 (no queue) to 10s, not " + wait);
    }
    return wait;
  }

  private static int atLeastOne(Config c, String path) {
    int value = c.getInt(path);
    if (value < 1 || value > 100_000) {
      throw new ConfigException.BadValue(
          c.origin(), PATH + "." + path, "must be from 1 to 100000, not " + value);
    }
    return value;
  }

  private static double fraction(Config c, String path) {
    double value = c.getDouble(path);
    if (!(value > 0 && value <= 1)) {
      throw new ConfigException.BadValue(
          c.origin(), PATH + "." + path, "must be above 0 and at most 1, not " + value);
    }
    return value;
  }
}
