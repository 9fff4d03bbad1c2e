package io.bulwark.node;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.Collectors;

/**
 * Open-model traffic for tests: requests start on a fixed schedule whether or not earlier ones have
 * answered (no coordinated omission), and each answer is kept with its latency.
 */
final class Paced {
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  /** One request's answer ({@code response} null when the connection failed). */
  record Answer(int status, long startNanos, long latencyNanos, HttpResponse<String> response) {}

  static final class Results {
    final List<Answer> answers;

    Results(List<Answer> answers) {
      this.answers = answers;
    }

    long count(int status) {
      return answers.stream().filter(a -> a.status() == status).count();
    }

    Map<Integer, Long> byStatus() {
      return answers.stream().collect(Collectors.groupingBy(Answer::status, Collectors.counting()));
    }

    /** The latency at quantile {@code q} (0..1) of the answers with {@code status}, in ms. */
    double latencyMillis(double q, int status) {
      long[] sorted =
          answers.stream()
              .filter(a -> a.status() == status)
              .mapToLong(Answer::latencyNanos)
              .sorted()
              .toArray();
      if (sorted.length == 0) {
        return Double.NaN;
      }
      int index = (int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
      return sorted[Math.max(0, index)] / 1e6;
    }
  }

  private Paced() {}

  static HttpRequest.Builder request(String url) {
    return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
  }

  /**
   * Starts {@code perSecond} requests a second for {@code duration}; request {@code i} is made by
   * {@code make}. Returns once every answer is in. A failed connection counts as status -1.
   */
  static Results run(double perSecond, Duration duration, IntFunction<HttpRequest> make)
      throws Exception {
    var answers = new ConcurrentLinkedQueue<Answer>();
    var pending = new ConcurrentLinkedQueue<CompletableFuture<?>>();
    int total = (int) Math.round(perSecond * duration.toMillis() / 1000.0);
    long intervalNanos = (long) (1_000_000_000L / perSecond);
    var scheduler = Executors.newSingleThreadScheduledExecutor();
    var started = new java.util.concurrent.CountDownLatch(total);
    var counter = new java.util.concurrent.atomic.AtomicInteger();
    var task =
        scheduler.scheduleAtFixedRate(
            () -> {
              int i = counter.getAndIncrement();
              if (i >= total) {
                return;
              }
              long start = System.nanoTime();
              pending.add(
                  HTTP.sendAsync(make.apply(i), HttpResponse.BodyHandlers.ofString())
                      .handle(
                          (r, e) -> {
                            long latency = System.nanoTime() - start;
                            int status = r == null ? -1 : r.statusCode();
                            answers.add(new Answer(status, start, latency, r));
                            return null;
                          }));
              started.countDown();
            },
            0,
            intervalNanos,
            TimeUnit.NANOSECONDS);
    started.await(duration.toSeconds() + 30, TimeUnit.SECONDS);
    task.cancel(false);
    scheduler.shutdown();
    CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    return new Results(new ArrayList<>(answers));
  }
}
