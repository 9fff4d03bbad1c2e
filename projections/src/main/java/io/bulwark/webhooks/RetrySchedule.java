package io.bulwark.webhooks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * When a failed delivery is tried again: the n-th retry waits the schedule's n-th step, spread by
 * ±{@code jitter} so that many deliveries failed by one outage do not all return at once. After the
 * last step the delivery is a dead letter. A receiver's {@code Retry-After} is honoured when it
 * asks for longer, up to an hour, or the schedule's longest step if that is longer (no receiver
 * parks a queue for a year).
 */
public final class RetrySchedule {
  /** In the spirit of Svix: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (about 28 h in all). */
  public static final String DEFAULT = "5s,5m,30m,2h,5h,10h,10h";

  private final List<Duration> steps;
  private final double jitter;

  /** The longest wait a Retry-After can ask for. */
  private final Duration longest;

  public RetrySchedule(List<Duration> steps, double jitter) {
    if (steps.isEmpty()) {
      throw new IllegalArgumentException("a retry schedule needs at least one step");
    }
    if (steps.stream().anyMatch(d -> d.isNegative() || d.isZero())) {
      throw new IllegalArgumentException("every retry step must be longer than zero");
    }
    if (jitter < 0 || jitter >= 1) {
      throw new IllegalArgumentException("jitter must be at least 0 and below 1");
    }
    this.steps = List.copyOf(steps);
    this.jitter = jitter;
    this.longest = Collections.max(List.of(Collections.max(steps), Duration.ofHours(1)));
  }

  /** A comma-separated list of durations such as {@code 5s,5m,2h} (units ms, s, m, h, d). */
  public static RetrySchedule parse(String text, double jitter) {
    var steps = new ArrayList<Duration>();
    for (String part : text.split(",")) {
      String step = part.strip();
      if (!step.isEmpty()) {
        steps.add(duration(step));
      }
    }
    return new RetrySchedule(steps, jitter);
  }

  public List<Duration> steps() {
    return steps;
  }

  /** Attempts a delivery gets in all: the first, and one per step. */
  public int maxAttempts() {
    return steps.size() + 1;
  }

  /**
   * The wait before the next attempt after {@code attemptsMade} failed ones, or empty when the
   * schedule is spent. {@code random} yields values in [0, 1).
   */
  public Optional<Duration> next(
      int attemptsMade, Optional<Duration> retryAfter, DoubleSupplier random) {
    if (attemptsMade >= maxAttempts()) {
      return Optional.empty();
    }
    Duration step = steps.get(Math.max(0, attemptsMade - 1));
    double factor = 1 + jitter * (2 * random.getAsDouble() - 1);
    Duration wait = Duration.ofMillis(Math.max(1, Math.round(step.toMillis() * factor)));
    if (retryAfter.isPresent() && retryAfter.get().compareTo(wait) > 0) {
      wait = retryAfter.get().compareTo(longest) > 0 ? longest : retryAfter.get();
    }
    return Optional.of(wait);
  }

  private static Duration duration(String step) {
    var m = java.util.regex.Pattern.compile("^([0-9]{1,9})(ms|s|m|h|d)$").matcher(step);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'" + step + "' is not a duration like 500ms, 5s, 5m, 2h or 1d");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }

  @Override
  public String toString() {
    return "RetrySchedule" + steps + " ±" + Math.round(jitter * 100) + "%";
  }
}
