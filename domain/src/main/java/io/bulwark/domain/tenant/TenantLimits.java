package io.bulwark.domain.tenant;

import io.bulwark.domain.JsonSerializable;

/**
 * A tenant's own rate limits, set by the platform: token buckets for writes and reads, each a
 * sustained rate per second and a burst. They hold for the whole cluster, not per node.
 */
public record TenantLimits(int writesPerSecond, int writeBurst, int readsPerSecond, int readBurst)
    implements JsonSerializable {

  /** The largest rate or burst a tenant may be given: beyond it a limit protects nothing. */
  public static final int MAX = 1_000_000;

  public TenantLimits {
    check("writesPerSecond", writesPerSecond);
    check("writeBurst", writeBurst);
    check("readsPerSecond", readsPerSecond);
    check("readBurst", readBurst);
  }

  private static void check(String name, int value) {
    if (value < 1 || value > MAX) {
      throw new IllegalArgumentException(name + " must be from 1 to " + MAX + ", not " + value);
    }
  }
}
