package io.bulwark.node;

import static io.bulwark.node.ApiClient.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.projections.Migrations;
import io.bulwark.testing.Eventually;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL itself is stopped for 20 s under a steady stream of transfers. While it is down
 * requests are refused fast with 503 and the node reports not ready; when it returns the node
 * serves again without a restart, and every transfer it acknowledged (201 or 202) completes.
 */
class DatabaseOutageTest {
  private static final String TENANT = "outage";
  private static final int ACCOUNTS = 8;
  private static final long FUNDING = 100_000;
  private static final Duration OUTAGE = Duration.ofSeconds(20);

  private static EmbeddedPostgres startPostgres(Path dataDir, int port) throws IOException {
    return EmbeddedPostgres.builder()
        .setDataDirectory(dataDir)
        .setCleanDataDirectory(false)
        .setPort(port)
        .start();
  }

  @Test
  void aStoppedDatabaseIsRefusedFastAndNothingAcknowledgedIsLost() throws Exception {
    Path dataDir = Files.createTempDirectory("bulwark-outage-pg");
    int pgPort = TestNode.freePort();
    EmbeddedPostgres postgres = startPostgres(dataDir, pgPort);
    String url = "jdbc:postgresql://127.0.0.1:" + pgPort + "/postgres";
    Migrations.migrate(url, "postgres", "postgres");
    String platformKey = TestNode.newPlatformKey();
    TestNode node = TestNode.seed(url, "postgres", "postgres", platformKey).start();
    try {
      var api = new ApiClient(node.baseUrl(), new OpenApiContract());
      var management = new ApiClient(node.managementUrl(), null);
      var ledger = new Ledger(api, platformKey);
      String admin = ledger.tenantWithAdmin(TENANT);
      ledger.account(TENANT, admin, "bank", "EUR", null);
      for (int i = 0; i < ACCOUNTS; i++) {
        ledger.account(TENANT, admin, "acc-" + i, "EUR", 0L);
        assertEquals(
            201,
            ledger
                .transfer(TENANT, admin, "fund-" + i, "bank", "acc-" + i, FUNDING, "EUR")
                .status());
      }

      // /ready, sampled every 100 ms for the whole run.
      var readiness = new ConcurrentLinkedQueue<long[]>();
      var sampling = new AtomicBoolean(true);
      var sampler =
          CompletableFuture.runAsync(
              () -> {
                while (sampling.get()) {
                  int status = management.send(get("/ready")).status();
                  readiness.add(new long[] {System.nanoTime(), status});
                  sleep(100);
                }
              });

      var random = new Random(7);
      var load =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return Paced.run(
                      40,
                      Duration.ofSeconds(35),
                      i -> {
                        int from = random.nextInt(ACCOUNTS);
                        int to = (from + 1 + random.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
                        return transfer(
                            node, admin, "t-" + i, "acc-" + from, "acc-" + to, 1 + i % 5);
                      });
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });

      sleep(5_000);
      long stoppedAt = System.nanoTime();
      postgres.close();
      sleep(OUTAGE.toMillis());
      long restartingAt = System.nanoTime();
      postgres = startPostgres(dataDir, pgPort);
      var results = load.get();
      Eventually.await(
          Duration.ofSeconds(30), () -> assertEquals(200, management.send(get("/ready")).status()));
      sampling.set(false);
      sampler.get();

      // While the database was down (after a second to notice), every answer was a fast 503.
      var during =
          results.answers.stream()
              .filter(a -> a.startNanos() > stoppedAt + 1_000_000_000L)
              .filter(a -> a.startNanos() < restartingAt)
              .toList();
      var duringResults = new Paced.Results(during);
      System.out.printf(
          "DatabaseOutageTest: all %s; during the outage %s, 503 p50 %.1f ms p99 %.1f ms max %.1f ms%n",
          results.byStatus(),
          duringResults.byStatus(),
          duringResults.latencyMillis(0.5, 503),
          duringResults.latencyMillis(0.99, 503),
          duringResults.latencyMillis(1.0, 503));
      System.out.println(
          "DatabaseOutageTest: codes " + codesByPhase(results, stoppedAt, restartingAt));
      System.out.println(
          "DatabaseOutageTest: /ready "
              + readiness.stream()
                  .map(r -> ((r[0] - stoppedAt) / 1_000_000_000L) + "s:" + r[1])
                  .distinct()
                  .toList());
      assertEquals(
          during.size(), duringResults.count(503), "only 503s: " + duringResults.byStatus());
      assertTrue(during.size() > 600, "the load kept coming: " + during.size());
      assertTrue(
          duringResults.latencyMillis(0.99, 503) <= 100,
          "503 p99 " + duringResults.latencyMillis(0.99, 503) + " ms");
      assertEquals(0, results.count(500), "no 500: " + results.byStatus());
      assertEquals(0, results.count(-1), "no failed connection: " + results.byStatus());
      assertTrue(
          readiness.stream().anyMatch(r -> r[0] > stoppedAt && r[0] < restartingAt && r[1] != 200),
          "/ready said not ready during the outage (Pekko Management answers 500)");
      long notReadyAfterNanos =
          readiness.stream()
                  .filter(r -> r[0] > stoppedAt && r[1] != 200)
                  .mapToLong(r -> r[0])
                  .min()
                  .orElseThrow()
              - stoppedAt;
      assertTrue(
          notReadyAfterNanos / 1_000_000 <= 5_000,
          "/ready turned false " + notReadyAfterNanos / 1_000_000 + " ms after the stop");

      // Service is back without a restart: a new transfer completes (retried with one key).
      Eventually.await(
          Duration.ofSeconds(30),
          () ->
              assertEquals(
                  201,
                  ledger
                      .transfer(TENANT, admin, "after-outage", "bank", "acc-0", 1, "EUR")
                      .status()));

      // Every acknowledged transfer completed or was refused, never lost; balances add up.
      Map<String, Long> expected = new HashMap<>();
      for (int i = 0; i < ACCOUNTS; i++) {
        expected.put("acc-" + i, FUNDING);
      }
      expected.merge("acc-0", 1L, Long::sum); // "after-outage"
      List<String> lost = new ArrayList<>();
      for (var answer : results.answers) {
        String id =
            answer.response().request().headers().firstValue("Idempotency-Key").orElseThrow();
        var stored = settled(api, admin, id);
        boolean acked = answer.status() == 201 || answer.status() == 202;
        if (stored.status() == 404) {
          if (acked) {
            lost.add(id);
          }
          continue;
        }
        var transfer = stored.json();
        if (transfer.get("status").asText().equals("completed")) {
          long amount = transfer.get("amount").asLong();
          expected.merge(transfer.get("from").asText(), -amount, Long::sum);
          expected.merge(transfer.get("to").asText(), amount, Long::sum);
        }
      }
      assertEquals(List.of(), lost, "acknowledged transfers lost");
      for (var account : expected.entrySet()) {
        assertEquals(
            (long) account.getValue(),
            ledger.balance(TENANT, admin, account.getKey()),
            account.getKey() + " balance");
      }
    } finally {
      node.stop();
      postgres.close();
    }
  }

  /** Counts of status and problem code, before, during and after the outage. */
  private static Map<String, Map<String, Long>> codesByPhase(
      Paced.Results results, long stoppedAt, long restartingAt) {
    Map<String, Map<String, Long>> phases = new java.util.TreeMap<>();
    for (var a : results.answers) {
      String phase =
          a.startNanos() < stoppedAt
              ? "1-before"
              : a.startNanos() < restartingAt ? "2-during" : "3-after";
      String code = String.valueOf(a.status());
      if (a.status() >= 400 && a.response() != null) {
        code += " " + a.response().body().replaceAll(".*\"code\":\"([a-z_]+)\".*", "$1");
      }
      phases.computeIfAbsent(phase, k -> new java.util.TreeMap<>()).merge(code, 1L, Long::sum);
    }
    return phases;
  }

  /** The transfer's record once it is no longer pending (404 when it never existed). */
  private static ApiClient.Response settled(ApiClient api, String key, String id) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      var r = api.send(get("/v1/tenants/" + TENANT + "/transfers/" + id).key(key));
      boolean done =
          r.status() == 404
              || (r.status() == 200 && !r.json().get("status").asText().equals("pending"));
      if (done || System.nanoTime() > deadline) {
        assertTrue(done, "transfer " + id + " did not settle: " + r.status() + " " + r.body());
        return r;
      }
      sleep(200);
    }
  }

  private static HttpRequest transfer(
      TestNode node, String key, String id, String from, String to, long amount) {
    String json =
        "{\"from\":\""
            + from
            + "\",\"to\":\""
            + to
            + "\",\"amount\":"
            + amount
            + ",\"currency\":\"EUR\"}";
    return Paced.request(node.baseUrl() + "/v1/tenants/" + TENANT + "/transfers")
        .header("Authorization", "Bearer " + key)
        .header("Idempotency-Key", id)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json))
        .build();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
