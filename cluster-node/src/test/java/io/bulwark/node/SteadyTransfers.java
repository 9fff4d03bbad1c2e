package io.bulwark.node;

import io.bulwark.node.TransferLoad.Acked;
import io.bulwark.node.TransferLoad.Planned;
import io.bulwark.node.TransferLoad.Result;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Closed-loop clients that move money steadily while the cluster changes under them, as a careful
 * API client would: each transfer is re-sent with its own Idempotency-Key until it is final (201
 * completed or 422 refused), after a 503 (honouring Retry-After), a 202 pending, or a broken
 * connection; the node to send to is asked of {@code target} on every attempt.
 */
final class SteadyTransfers implements AutoCloseable {
  /** What happened to a transfer: its final answer and what it met on the way. */
  record Outcome(Planned transfer, Acked last, int attempts) {}

  private final ExecutorService clients;
  private final AtomicBoolean stop = new AtomicBoolean();
  private final Map<String, Outcome> finals = new ConcurrentHashMap<>();
  private final Map<String, Planned> sent = new ConcurrentHashMap<>();

  /** Answers that a client may not get even while nodes come and go: anything but 2xx/422/503. */
  private final List<String> unexpected = new CopyOnWriteArrayList<>();

  private final AtomicInteger unavailable = new AtomicInteger();
  private final AtomicInteger connectionFailures = new AtomicInteger();
  private final AtomicInteger completed = new AtomicInteger();

  SteadyTransfers(
      int threads,
      Supplier<String> target,
      String tenantId,
      String apiKey,
      List<String> accounts,
      String currency,
      Duration giveUpAfter) {
    clients = Executors.newFixedThreadPool(threads);
    for (int c = 0; c < threads; c++) {
      int client = c;
      clients.execute(
          () -> {
            var random = new Random(client);
            for (int i = 0; !stop.get(); i++) {
              String from = accounts.get(random.nextInt(accounts.size()));
              String to = accounts.get(random.nextInt(accounts.size()));
              if (from.equals(to)) {
                continue;
              }
              var planned =
                  new Planned(
                      "steady-" + client + "-" + i, from, to, 1 + random.nextInt(500), currency);
              sent.put(planned.id(), planned);
              untilFinal(planned, target, tenantId, apiKey, giveUpAfter);
            }
          });
    }
  }

  private void untilFinal(
      Planned planned, Supplier<String> target, String tenantId, String apiKey, Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    for (int attempt = 1; System.nanoTime() < deadline; attempt++) {
      Result result;
      try {
        result = TransferLoad.send(target.get(), tenantId, apiKey, planned);
      } catch (RuntimeException | AssertionError e) {
        unexpected.add(planned.id() + ": " + e);
        return;
      }
      if (result instanceof Acked a && a.status() != 202) {
        finals.put(planned.id(), new Outcome(planned, a, attempt));
        if (a.status() == 201) {
          completed.incrementAndGet();
        }
        return;
      }
      if (result instanceof TransferLoad.Unexpected u) {
        if (u.status() == 503) {
          unavailable.incrementAndGet();
        } else {
          unexpected.add(planned.id() + ": " + u.status() + " " + u.body());
        }
      } else if (result instanceof TransferLoad.Failed) {
        connectionFailures.incrementAndGet();
      }
      pause(attempt);
    }
    unexpected.add(planned.id() + ": not final after " + limit);
  }

  private static void pause(int attempt) {
    try {
      Thread.sleep(Math.min(1_000, 100L * attempt));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  int completed() {
    return completed.get();
  }

  /** Stops starting new transfers and waits until every started one is final or given up. */
  Map<String, Outcome> finish(Duration within) throws InterruptedException {
    stop.set(true);
    clients.shutdown();
    if (!clients.awaitTermination(within.toMillis(), TimeUnit.MILLISECONDS)) {
      clients.shutdownNow();
      throw new AssertionError("the steady clients did not finish within " + within);
    }
    return Map.copyOf(finals);
  }

  /** Every transfer a client started, final or not. */
  Map<String, Planned> sent() {
    return Map.copyOf(sent);
  }

  List<String> unexpected() {
    return List.copyOf(unexpected);
  }

  int unavailableAnswers() {
    return unavailable.get();
  }

  int connectionFailures() {
    return connectionFailures.get();
  }

  /**
   * After the clients finished: every answer a client got is the transfer's final status, and
   * {@link InvariantChecks#assertAll(String, Map, Map)} holds over those transfers and the {@code
   * funding} ones.
   */
  static void assertOutcomesHold(
      InvariantChecks checks,
      Map<String, Outcome> outcomes,
      List<String> funding,
      Map<String, Long> limits,
      String platformKey)
      throws Exception {
    checks.awaitNoTransferInFlight(limits.keySet(), Duration.ofSeconds(60));
    List<String> ids = new java.util.ArrayList<>(funding);
    ids.addAll(outcomes.keySet());
    var finals = checks.finalTransfers(ids, true, Duration.ofSeconds(30));
    Map<String, String> expected = new java.util.HashMap<>();
    Map<String, String> actual = new java.util.HashMap<>();
    outcomes.forEach(
        (id, o) -> {
          expected.put(id, o.last().status() == 201 ? "completed" : "rejected");
          actual.put(id, finals.get(id).status());
        });
    InvariantChecks.assertSame(expected, actual, "each client's final answer is the transfer's");
    checks.assertAll(platformKey, limits, finals);
  }

  @Override
  public void close() {
    stop.set(true);
    clients.shutdownNow();
  }
}
