package io.bulwark.http;

import java.time.Duration;

/**
 * When a request stops being worth answering. Every ask and query it makes is bounded by the time
 * left, and none is started once it has passed: a client that has given up is not worked for.
 */
public record Deadline(long atNanos) {

  public static Deadline in(Duration budget) {
    return new Deadline(System.nanoTime() + budget.toNanos());
  }

  public Duration remaining() {
    return Duration.ofNanos(atNanos - System.nanoTime());
  }

  /** The time left; when none is, a failure that is answered 503 {@code deadline_exceeded}. */
  Duration left() {
    Duration left = remaining();
    if (left.isNegative() || left.isZero()) {
      throw new io.bulwark.readmodel.QueryDeadlineException();
    }
    return left;
  }
}
