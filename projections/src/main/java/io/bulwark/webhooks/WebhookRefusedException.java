package io.bulwark.webhooks;

/**
 * A webhook request that Bulwark refuses for a reason the caller can fix; the message says which,
 * in words fit for the caller, and {@link #reason()} lets the API choose its status and code.
 */
public final class WebhookRefusedException extends RuntimeException {
  public enum Reason {
    /** The URL is not one webhooks may be sent to (TargetPolicy). */
    TARGET_REFUSED,
    /** The tenant already has {@link WebhookEndpoints#MAX_ENDPOINTS} endpoints. */
    TOO_MANY_ENDPOINTS,
    /** A recovery's {@code since} lies in the future or before the messages kept. */
    SINCE_OUT_OF_RANGE
  }

  private final Reason reason;

  public WebhookRefusedException(Reason reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
