package io.bulwark.domain.telemetry;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A cardinality guard for one metric label: the first {@code capacity} distinct values seen keep
 * their own label, every later one is counted as {@value #OTHER}. A time series costs memory in the
 * node and in Prometheus for as long as it exists, so no label may grow with user input.
 */
public final class BoundedLabels {
  public static final String OTHER = "other";

  private final int capacity;
  private final Set<String> admitted = ConcurrentHashMap.newKeySet();

  public BoundedLabels(int capacity) {
    this.capacity = capacity;
  }

  public String label(String value) {
    if (value == null || value.isEmpty()) {
      return "none";
    }
    if (admitted.contains(value)) {
      return value;
    }
    synchronized (this) {
      if (admitted.size() < capacity) {
        admitted.add(value);
        return value;
      }
    }
    return OTHER;
  }
}
