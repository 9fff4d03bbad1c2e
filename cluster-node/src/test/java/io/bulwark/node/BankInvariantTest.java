package io.bulwark.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.node.InvariantChecks.Final;
import io.bulwark.node.TransferLoad.Acked;
import io.bulwark.node.TransferLoad.Planned;
import io.bulwark.node.TransferLoad.Result;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The ledger's invariant under concurrent load on one node: over a thousand random transfers among
 * two dozen accounts, sent at once, leave every balance at what the completed transfers imply, sum
 * to zero, within every overdraft limit, and mirrored exactly by the read model.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BankInvariantTest {
  private static final String TENANT = "bank-inv";
  private static final String EUR = "EUR";
  private static final int ACCOUNTS = 23;
  private static final int RANDOM_TRANSFERS = 1200;
  private static final int CLIENT_THREADS = 24;
  private static final long[] LIMITS = {0, 0, 0, 100, 1_000, 5_000, 0, 250, 20_000, 0, 50};

  private SingleNodeFixture f;

  @BeforeAll
  void start() {
    f = new SingleNodeFixture();
  }

  @AfterAll
  void stop() throws Exception {
    f.close();
  }

  @Test
  void concurrentRandomTransfersKeepBalancesSummingToZeroWithinLimitsAndMirroredInTheReadModel()
      throws Exception {
    long seed = System.nanoTime();
    System.out.println("BankInvariantTest seed " + seed);
    var random = new Random(seed);
    String admin = f.ledger.tenantWithAdmin(TENANT);
    Map<String, Long> limits = new LinkedHashMap<>();
    limits.put("bank", null);
    f.ledger.account(TENANT, admin, "bank", EUR, null);
    for (int i = 0; i < ACCOUNTS; i++) {
      String id = String.format("acc-%02d", i);
      long limit = LIMITS[i % LIMITS.length];
      limits.put(id, limit);
      f.ledger.account(TENANT, admin, id, EUR, limit);
    }
    List<String> ids = new ArrayList<>(limits.keySet());
    String operator = f.ledger.key(TENANT, admin, "operator");

    List<Planned> deposits = new ArrayList<>();
    for (String id : ids.subList(1, ids.size())) {
      for (int d = 0; d < 3; d++) {
        deposits.add(
            new Planned("dep-" + id + "-" + d, "bank", id, 500 + random.nextInt(4_500), EUR));
      }
    }
    var depositResults = load(deposits, operator);
    depositResults.forEach(
        (id, r) ->
            assertTrue(
                r instanceof Acked a && a.status() == 201 && a.transferStatus().equals("completed"),
                "deposit " + id + ": " + r));

    List<Planned> transfers = new ArrayList<>();
    for (int i = 0; i < RANDOM_TRANSFERS; i++) {
      String from = ids.get(random.nextInt(ids.size()));
      String to = ids.get(random.nextInt(ids.size()));
      while (to.equals(from)) {
        to = ids.get(random.nextInt(ids.size()));
      }
      long amount =
          random.nextInt(5) == 0 ? 3_000 + random.nextInt(30_000) : 1 + random.nextInt(3_000);
      transfers.add(new Planned(String.format("tr-%05d", i), from, to, amount, EUR));
    }
    long started = System.nanoTime();
    var results = load(transfers, operator);
    System.out.printf(
        "BankInvariantTest: %d transfers in %d ms: %s%n",
        transfers.size(),
        Duration.ofNanos(System.nanoTime() - started).toMillis(),
        TransferLoad.summary(results));

    assertEquals(transfers.size(), results.size());
    for (var r : results.entrySet()) {
      assertTrue(r.getValue() instanceof Acked, r.getKey() + " was acknowledged: " + r.getValue());
      var acked = (Acked) r.getValue();
      if (acked.status() == 422) {
        assertEquals("insufficient_funds", acked.reason(), r.getKey());
        assertEquals("rejected", acked.transferStatus(), r.getKey());
      } else {
        assertEquals(acked.status() == 201 ? "completed" : "pending", acked.transferStatus());
      }
    }
    assertTrue(count(results, 201) > RANDOM_TRANSFERS / 4, "many transfers completed");
    assertTrue(count(results, 422) > 0, "some transfers were refused for insufficient funds");

    var checks = new InvariantChecks(f.api, TENANT, admin, EUR, f.db.dataSource());
    List<String> all = new ArrayList<>(depositResults.keySet());
    all.addAll(results.keySet());
    Map<String, Final> finals = checks.finalTransfers(all, true, Duration.ofSeconds(60));
    for (var r : results.entrySet()) {
      var acked = (Acked) r.getValue();
      var fin = finals.get(r.getKey());
      if (acked.status() == 201) {
        assertEquals("completed", fin.status(), r.getKey());
      } else if (acked.status() == 422) {
        assertEquals("rejected", fin.status(), r.getKey());
        assertEquals(acked.reason(), fin.reason(), r.getKey());
      }
    }
    Map<String, Planned> planned = new HashMap<>();
    deposits.forEach(p -> planned.put(p.id(), p));
    transfers.forEach(p -> planned.put(p.id(), p));
    finals
        .values()
        .forEach(
            t -> {
              var p = planned.get(t.id());
              assertEquals(
                  List.of(p.from(), p.to(), p.amount(), p.currency()),
                  List.of(t.from(), t.to(), t.amount(), t.currency()),
                  t.id());
            });

    checks.assertAll(f.node.node().system(), limits, finals);
  }

  /** Sends as a payment client would: an operator key, and a 503 re-sent with the same key. */
  private Map<String, Result> load(List<Planned> transfers, String operatorKey)
      throws InterruptedException {
    return TransferLoad.run(
        transfers,
        CLIENT_THREADS,
        i -> f.node.baseUrl(),
        TENANT,
        operatorKey,
        new AtomicBoolean(false),
        new AtomicInteger(),
        3);
  }

  private static long count(Map<String, Result> results, int status) {
    return results.values().stream()
        .filter(r -> r instanceof Acked a && a.status() == status)
        .count();
  }
}
