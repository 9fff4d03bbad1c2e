package io.bulwark.webhooks;

import java.time.Duration;
import java.util.Optional;

/** What one delivery attempt came to; {@link Outcome#label()} is the metrics label. */
public record Attempt(
    Outcome outcome, Integer status, String error, Optional<Duration> retryAfter) {

  public enum Outcome {
    /** 2xx: delivered. */
    SUCCESS,
    /** Any other answer (a redirect too: none is followed). */
    REJECTED,
    /** 429: too many requests; Retry-After is honoured. */
    RATE_LIMITED,
    /** 410: the receiver is gone; the endpoint is disabled. */
    GONE,
    /** No answer within the attempt timeout. */
    TIMEOUT,
    /** The connection failed (refused, reset, TLS). */
    CONNECTION_FAILED,
    /** The target resolved to an address Bulwark does not send to (SSRF guard): never connected. */
    REFUSED;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public boolean delivered() {
    return outcome == Outcome.SUCCESS;
  }

  static Attempt answered(int status, Optional<Duration> retryAfter) {
    if (status >= 200 && status < 300) {
      return new Attempt(Outcome.SUCCESS, status, null, Optional.empty());
    }
    if (status == 410) {
      return new Attempt(Outcome.GONE, status, "410 Gone: the endpoint was disabled", retryAfter);
    }
    if (status == 429) {
      return new Attempt(Outcome.RATE_LIMITED, status, "429 Too Many Requests", retryAfter);
    }
    String error =
        status >= 300 && status < 400
            ? "HTTP " + status + " (redirects are not followed)"
            : "HTTP " + status;
    return new Attempt(Outcome.REJECTED, status, error, retryAfter);
  }

  static Attempt failed(Outcome outcome, String error) {
    return new Attempt(outcome, null, error, Optional.empty());
  }
}
