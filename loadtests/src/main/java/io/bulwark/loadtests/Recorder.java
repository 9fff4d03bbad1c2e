package io.bulwark.loadtests;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * What a load phase saw: counts per status and problem code, and latency histograms (measured from
 * each request's intended start, so a stalled client or server shows up as latency) for accepted
 * requests (2xx), refusals (429/503) and everything, plus per-second counts, and accepted latency
 * per kind of request (transfer, read, list) for mixed loads.
 */
final class Recorder {
  private static final long MAX_NANOS = 60_000_000_000L;

  final Histogram accepted = new ConcurrentHistogram(MAX_NANOS, 3);
  final Histogram refused = new ConcurrentHistogram(MAX_NANOS, 3);
  final Map<String, AtomicLong> outcomes = new ConcurrentHashMap<>();
  final Map<Long, long[]> perSecond = new ConcurrentHashMap<>();
  final Map<String, Histogram> acceptedByKind = new ConcurrentHashMap<>();
  private final long startNanos;

  Recorder(long startNanos) {
    this.startNanos = startNanos;
  }

  void record(long intendedNanos, Api.Answer answer) {
    record(intendedNanos, answer.status(), answer.code());
    if (answer.status() >= 200 && answer.status() < 300) {
      long latency = Math.max(0, System.nanoTime() - intendedNanos);
      acceptedByKind
          .computeIfAbsent(answer.kind(), k -> new ConcurrentHistogram(MAX_NANOS, 3))
          .recordValue(Math.min(latency, MAX_NANOS));
    }
  }

  void record(long intendedNanos, int status, String code) {
    long latency = Math.max(0, System.nanoTime() - intendedNanos);
    String key = code == null ? Integer.toString(status) : status + " " + code;
    outcomes.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
    boolean ok = status >= 200 && status < 300;
    boolean refusal = status == 429 || status == 503;
    if (ok) {
      accepted.recordValue(Math.min(latency, MAX_NANOS));
    } else if (refusal) {
      refused.recordValue(Math.min(latency, MAX_NANOS));
    }
    long second = (intendedNanos - startNanos) / 1_000_000_000L;
    long[] counts = perSecond.computeIfAbsent(second, s -> new long[3]);
    synchronized (counts) {
      counts[ok ? 0 : refusal ? 1 : 2]++;
    }
  }

  long count(String prefix) {
    return outcomes.entrySet().stream()
        .filter(e -> e.getKey().startsWith(prefix))
        .mapToLong(e -> e.getValue().get())
        .sum();
  }

  long total() {
    return outcomes.values().stream().mapToLong(AtomicLong::get).sum();
  }

  Map<String, Long> outcomes() {
    Map<String, Long> sorted = new TreeMap<>();
    outcomes.forEach((k, v) -> sorted.put(k, v.get()));
    return sorted;
  }

  static double millis(Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1e6;
  }
}
