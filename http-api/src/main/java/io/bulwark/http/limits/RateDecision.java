package io.bulwark.http.limits;

/**
 * What one bucket said about one request: whether it may pass, how many requests remain, seconds
 * until the bucket is full again, and (when refused) seconds until the next request may pass.
 */
public record RateDecision(
    Quota quota, boolean allowed, long remaining, long resetSeconds, long retryAfterSeconds) {

  /** The RateLimit item, e.g. {@code "tenant-write";r=17;t=1}. */
  public String limitItem() {
    return "\"" + quota.name() + "\";r=" + remaining + ";t=" + resetSeconds;
  }
}
