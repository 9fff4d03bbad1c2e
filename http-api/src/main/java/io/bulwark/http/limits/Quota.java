package io.bulwark.http.limits;

/**
 * One token bucket's policy: {@code perSecond} tokens refill each second up to {@code burst}. As a
 * RateLimit-Policy it reads "{@code burst} requests per window", the window being the time an empty
 * bucket takes to fill.
 */
public record Quota(String name, double perSecond, long burst) {

  public Quota {
    if (!(perSecond > 0) || burst < 1) {
      throw new IllegalArgumentException("A quota needs a positive rate and burst: " + name);
    }
  }

  /** Seconds an empty bucket takes to fill again, at least 1. */
  public long windowSeconds() {
    return Math.max(1, (long) Math.ceil(burst / perSecond));
  }

  /** The RateLimit-Policy item, e.g. {@code "tenant-write";q=200;w=2}. */
  public String policyItem() {
    return "\"" + name + "\";q=" + burst + ";w=" + windowSeconds();
  }
}
