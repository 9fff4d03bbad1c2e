package io.bulwark.node;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * Many transfers sent concurrently over real HTTP, each with its own Idempotency-Key, and what the
 * client learnt about each: an acknowledgement (201, 202 or 422), an unexpected status, or an I/O
 * failure (the node died under the request). Responses are held to docs/openapi.yaml.
 */
final class TransferLoad {
  /** One transfer request; {@code id} is its Idempotency-Key. */
  record Planned(String id, String from, String to, long amount, String currency) {
    Map<String, Object> body() {
      return Map.of("from", from, "to", to, "amount", amount, "currency", currency);
    }
  }

  /** What one attempt told the client. */
  sealed interface Result {}

  /** 201 completed, 202 pending or 422 refused: the server took responsibility for the outcome. */
  record Acked(int status, String transferStatus, String reason, boolean replayed)
      implements Result {}

  /** Any other status: nothing was promised. */
  record Unexpected(int status, String body) implements Result {}

  /** The connection failed: the request may or may not have reached the node. */
  record Failed(String error) implements Result {}

  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private static final OpenApiContract CONTRACT = new OpenApiContract();

  private TransferLoad() {}

  /** Sends one transfer to the node at {@code baseUrl}; never throws for an HTTP outcome. */
  static Result send(String baseUrl, String tenantId, String apiKey, Planned t) {
    String path = "/v1/tenants/" + tenantId + "/transfers";
    String json;
    try {
      json = ApiClient.JSON.writeValueAsString(t.body());
    } catch (IOException e) {
      throw new IllegalArgumentException(e);
    }
    var request =
        HttpRequest.newBuilder(URI.create(baseUrl + path))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + apiKey)
            .header("Idempotency-Key", t.id())
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build();
    HttpResponse<String> r;
    try {
      r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      return new Failed(e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Failed(e.toString());
    }
    var response = new ApiClient.Response(r.statusCode(), r.headers().map(), r.body());
    CONTRACT.check("POST", path, response);
    boolean replayed = response.header("Idempotent-Replayed").isPresent();
    return switch (r.statusCode()) {
      case 201, 202 -> {
        JsonNode body = response.json();
        yield new Acked(r.statusCode(), body.get("status").asText(), null, replayed);
      }
      case 422 -> {
        JsonNode transfer = response.json().path("transfer");
        yield new Acked(
            422,
            transfer.isMissingNode() ? null : transfer.path("status").asText(),
            response.code(),
            replayed);
      }
      default -> new Unexpected(r.statusCode(), r.body());
    };
  }

  /**
   * Sends {@code transfers} from {@code threads} client threads. {@code target} picks the node per
   * transfer index. Once {@code stop} is set, transfers not yet begun are not sent (and absent from
   * the result). Fails if any response broke docs/openapi.yaml. {@code retries503} re-sends a 503
   * with the same key up to that many times.
   */
  /** {@link #run} on another thread, for tests that act on the nodes while the load runs. */
  static java.util.concurrent.CompletableFuture<Map<String, Result>> runInBackground(
      List<Planned> transfers,
      int threads,
      IntFunction<String> target,
      String tenantId,
      String apiKey,
      AtomicBoolean stop,
      AtomicInteger acked) {
    return java.util.concurrent.CompletableFuture.supplyAsync(
        () -> {
          try {
            return run(transfers, threads, target, tenantId, apiKey, stop, acked, 0);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
          }
        });
  }

  static Map<String, Result> run(
      List<Planned> transfers,
      int threads,
      IntFunction<String> target,
      String tenantId,
      String apiKey,
      AtomicBoolean stop,
      AtomicInteger acked,
      int retries503)
      throws InterruptedException {
    Map<String, Result> results = new ConcurrentHashMap<>();
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      for (int i = 0; i < transfers.size(); i++) {
        int index = i;
        Planned t = transfers.get(i);
        pool.execute(
            () -> {
              if (stop.get()) {
                return;
              }
              try {
                Result result = send(target.apply(index), tenantId, apiKey, t);
                int attempts = 0;
                while (attempts++ < retries503 && isUnavailable(result) && !stop.get()) {
                  result = send(target.apply(index), tenantId, apiKey, t);
                }
                results.put(t.id(), result);
                if (result instanceof Acked) {
                  acked.incrementAndGet();
                }
              } catch (RuntimeException | AssertionError e) {
                errors.add(e);
              }
            });
      }
    } finally {
      pool.shutdown();
    }
    if (!pool.awaitTermination(5, TimeUnit.MINUTES)) {
      pool.shutdownNow();
      throw new AssertionError("The transfer load did not finish within 5 minutes");
    }
    if (!errors.isEmpty()) {
      var failure = new AssertionError(errors.size() + " requests failed a check", errors.get(0));
      errors.stream().skip(1).limit(5).forEach(failure::addSuppressed);
      throw failure;
    }
    return results;
  }

  private static boolean isUnavailable(Result result) {
    return result instanceof Unexpected u && u.status() == 503;
  }

  /** How many results of each kind, for logs and failure messages. */
  static String summary(Map<String, Result> results) {
    Map<String, Integer> counts = new TreeMap<>();
    results
        .values()
        .forEach(
            r -> {
              String kind;
              if (r instanceof Acked a) {
                kind = a.status() + (a.reason() == null ? "" : " " + a.reason());
              } else if (r instanceof Unexpected u) {
                kind = "unexpected " + u.status();
              } else {
                String error = ((Failed) r).error();
                kind = "io-failure " + error.substring(0, Math.min(60, error.length()));
              }
              counts.merge(kind, 1, Integer::sum);
            });
    return counts.toString();
  }
}
