package io.bulwark.http.limits;

import com.netflix.concurrency.limits.limit.AbstractLimit;

/**
 * Additive increase, multiplicative decrease against a latency target, one step per window of
 * samples (fed by a percentile window, so {@code rtt} is that window's percentile). A busy window
 * whose latency passed the target, or that saw a request fail for lack of capacity, cuts the limit
 * by a tenth, or in proportion when latency is further past (at twice the target, by half); a busy
 * window within the target adds one. A window in which less than half the limit was in use does not
 * cut it: slowness then comes from somewhere a smaller limit cannot help (a stalled disk, one slow
 * query). Such a window, when fast, only brings a limit cut by an earlier spike back towards the
 * initial limit, so the stalls of ordinary load after a spike do not meet the spike's limit. Unlike
 * concurrency-limits' AIMDLimit, which also shrinks while idle, so a node that met a few slow
 * windows overnight would refuse the morning's first burst.
 */
final class LatencyTargetLimit extends AbstractLimit {
  private static final double BACKOFF = 0.9;
  private static final double MAX_CUT = 0.5;

  private final long targetNanos;
  private final int initialLimit;
  private final int minLimit;
  private final int maxLimit;

  LatencyTargetLimit(int initialLimit, int minLimit, int maxLimit, long targetNanos) {
    super(initialLimit);
    this.targetNanos = targetNanos;
    this.initialLimit = initialLimit;
    this.minLimit = minLimit;
    this.maxLimit = maxLimit;
  }

  @Override
  protected int _update(long startTime, long rtt, int inflight, boolean didDrop) {
    int limit = getLimit();
    if (inflight * 2 < limit) {
      return rtt <= targetNanos && limit < initialLimit ? limit + 1 : limit;
    }
    if (didDrop || rtt > targetNanos) {
      // The further past the target, the deeper the cut (at most half): a spike that finds the
      // limit high brings it down in a few windows, not a few seconds.
      double cut = Math.max(MAX_CUT, Math.min(BACKOFF, (double) targetNanos / rtt));
      return Math.max(minLimit, (int) (limit * cut));
    }
    return Math.min(maxLimit, limit + 1);
  }
}
