package io.bulwark.projections;

import io.bulwark.projections.PendingTransfers.Pending;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which pending transfers a sweep wakes. One wake starts a sleeping saga; another is needed only if
 * that one was lost (its node crashed too). So a row that stays pending is woken again after a
 * delay that doubles each time, up to {@code max}: a row the read model never settles (a skipped
 * event, a saga without events) costs a wake every few minutes, not one per sweep.
 */
final class WakeBackoff {
  /** How often a row was woken, and when it may be woken again. */
  private record Woken(int times, Instant notBefore) {}

  /** What one sweep wakes, and how many of those it woke before. */
  record Due(List<Pending> wake, int again) {}

  private final Duration first;
  private final Duration max;
  private final Map<String, Woken> woken;

  /** Remembers at most {@code capacity} rows, the least recently woken forgotten first. */
  WakeBackoff(Duration first, Duration max, int capacity) {
    this.first = first;
    this.max = max;
    this.woken =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Woken> eldest) {
            return size() > capacity;
          }
        };
  }

  /** The rows of {@code found} to wake at {@code now}, each then remembered with its next time. */
  Due due(List<Pending> found, Instant now) {
    var wake = new ArrayList<Pending>();
    int again = 0;
    for (Pending p : found) {
      String key = p.tenantId() + '\u0000' + p.transferId();
      Woken before = woken.get(key);
      if (before != null && now.isBefore(before.notBefore())) {
        continue;
      }
      int times = before == null ? 1 : before.times() + 1;
      woken.put(key, new Woken(times, now.plus(delay(times))));
      wake.add(p);
      if (before != null) {
        again++;
      }
    }
    return new Due(wake, again);
  }

  private Duration delay(int times) {
    Duration d = first.multipliedBy(1L << Math.min(times - 1, 30));
    return d.compareTo(max) > 0 ? max : d;
  }
}
