package io.bulwark.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.node.InvariantChecks.Final;
import io.bulwark.node.TransferLoad.Acked;
import io.bulwark.node.TransferLoad.Planned;
import io.bulwark.node.TransferLoad.Result;
import io.bulwark.testing.Eventually;
import io.bulwark.testing.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A node killed under load (no coordinated shutdown, requests cut off) and started again on the
 * same database, twice, the second time while it still recovers from the first: no acknowledged
 * transfer is lost or changed, every saga that was in flight finishes without a client retry, and
 * re-sending the unanswered requests executes each at most once.
 */
class CrashRecoveryTest {
  private static final String TENANT = "crash-rec";
  private static final String EUR = "EUR";
  private static final int ACCOUNTS = 10;
  private static final int TRANSFERS = 400;
  private static final int CLIENT_THREADS = 32;
  private static final int ACKS_BEFORE_CRASH = 150;

  private TestDatabase db;
  private TestNode node;

  @AfterEach
  void stop() throws Exception {
    try {
      if (node != null) {
        node.stop();
      }
    } finally {
      db.close();
    }
  }

  @Test
  void acknowledgedTransfersSurviveRepeatedCrashesAndPendingOnesFinishWithoutARetry()
      throws Exception {
    db = TestDatabase.create();
    String platformKey = TestNode.newPlatformKey();
    // A short wait makes many transfers answer 202 pending, so the crash finds sagas in flight
    // that the server has promised to finish.
    node = TestNode.seed(db, platformKey).withConfig("bulwark.http.transfer-wait = 250ms").start();
    var api = new ApiClient(node.baseUrl(), new OpenApiContract());
    var ledger = new Ledger(api, platformKey);
    String admin = ledger.tenantWithAdmin(TENANT);
    Map<String, Long> limits = new LinkedHashMap<>();
    limits.put("bank", null);
    ledger.account(TENANT, admin, "bank", EUR, null);
    for (int i = 0; i < ACCOUNTS; i++) {
      String id = "acc-" + i;
      limits.put(id, i % 2 == 0 ? 0L : 500L);
      ledger.account(TENANT, admin, id, EUR, limits.get(id));
    }
    List<String> accounts = new ArrayList<>(limits.keySet());
    List<Planned> funding = new ArrayList<>();
    for (String id : accounts.subList(1, accounts.size())) {
      var p = new Planned("fund-" + id, "bank", id, 10_000, EUR);
      funding.add(p);
      assertEquals(201, ledger.transfer(TENANT, admin, p.id(), "bank", id, 10_000, EUR).status());
    }

    long seed = System.nanoTime();
    System.out.println("CrashRecoveryTest seed " + seed);
    var random = new Random(seed);
    Map<String, Planned> planned = new HashMap<>();
    funding.forEach(p -> planned.put(p.id(), p));
    Map<String, Result> results = new HashMap<>();
    // The second crash comes right after the restart, while the sagas of the first still resume.
    for (String round : List.of("first-", "second-")) {
      List<Planned> load = randomLoad(round, accounts, random);
      load.forEach(p -> planned.put(p.id(), p));
      results.putAll(crashUnderLoad(load, admin));
      node = node.again().start();
    }
    assertTrue(
        results.values().stream().anyMatch(r -> r instanceof Acked a && a.status() == 202),
        "some transfers were acknowledged as pending before a crash");
    assertTrue(
        results.values().stream().anyMatch(r -> r instanceof Acked a && a.status() == 201),
        "some transfers were acknowledged as completed before a crash");

    var checks = new InvariantChecks(api, TENANT, admin, EUR, db.dataSource());
    checks.awaitNoTransferInFlight(accounts, Duration.ofSeconds(60));

    Map<String, Final> finals =
        checks.finalTransfers(planned.keySet(), false, Duration.ofSeconds(10));
    funding.forEach(p -> assertEquals("completed", finals.get(p.id()).status(), p.id()));
    List<String> unacknowledged = new ArrayList<>();
    for (var r : results.entrySet()) {
      var fin = finals.get(r.getKey());
      if (r.getValue() instanceof Acked a) {
        assertNotNull(fin, "acknowledged " + r.getKey() + " (" + a + ") is found after the crash");
        if (a.status() == 201) {
          assertEquals("completed", fin.status(), r.getKey());
        } else if (a.status() == 422) {
          assertEquals("rejected", fin.status(), r.getKey());
          assertEquals(a.reason(), fin.reason(), r.getKey());
        }
      } else {
        unacknowledged.add(r.getKey());
      }
    }
    finals.values().forEach(t -> assertSamePlan(planned.get(t.id()), t));
    long unacknowledgedButPresent = unacknowledged.stream().filter(finals::containsKey).count();
    System.out.println(
        "CrashRecoveryTest: "
            + unacknowledged.size()
            + " unacknowledged, of which "
            + unacknowledgedButPresent
            + " were executed anyway");
    checks.assertAll(node.node().system(), limits, finals);

    // A client that got no answer re-sends with the same key: at most one execution each.
    for (String id : unacknowledged) {
      var p = planned.get(id);
      var before = finals.get(id);
      var again = TransferLoad.send(node.baseUrl(), TENANT, admin, p);
      assertTrue(again instanceof Acked, id + " re-sent: " + again);
      var a = (Acked) again;
      if (before != null) {
        assertTrue(a.replayed(), id + " was answered from its first execution");
        assertEquals(before.completed() ? 201 : 422, a.status(), id);
      }
    }
    for (var r : results.entrySet()) {
      if (r.getValue() instanceof Acked a && a.status() != 202) {
        var again = TransferLoad.send(node.baseUrl(), TENANT, admin, planned.get(r.getKey()));
        assertEquals(
            new Acked(a.status(), a.transferStatus(), a.reason(), true),
            again,
            "repeating acknowledged " + r.getKey());
      }
    }
    List<String> all = new ArrayList<>(funding.stream().map(Planned::id).toList());
    all.addAll(results.keySet());
    Map<String, Final> afterRetry = checks.finalTransfers(all, true, Duration.ofSeconds(60));
    finals.forEach(
        (id, t) -> assertEquals(t, afterRetry.get(id), id + " did not change when re-sent"));
    checks.assertAll(node.node().system(), limits, afterRetry);
  }

  /** Transfers among the accounts, a third of them deposits from the bank. */
  private static List<Planned> randomLoad(String prefix, List<String> accounts, Random random) {
    List<Planned> load = new ArrayList<>();
    for (int i = 0; i < TRANSFERS; i++) {
      String to = accounts.get(1 + random.nextInt(ACCOUNTS));
      String from = i % 3 == 0 ? "bank" : accounts.get(1 + random.nextInt(ACCOUNTS));
      while (from.equals(to)) {
        from = accounts.get(1 + random.nextInt(ACCOUNTS));
      }
      load.add(new Planned(prefix + i, from, to, 1 + random.nextInt(3_000), EUR));
    }
    return load;
  }

  /**
   * Sends {@code load} from many client threads and crashes the node once {@value
   * #ACKS_BEFORE_CRASH} transfers were acknowledged; returns what the clients learnt.
   */
  private Map<String, Result> crashUnderLoad(List<Planned> load, String apiKey) throws Exception {
    var stop = new AtomicBoolean();
    var acked = new AtomicInteger();
    String baseUrl = node.baseUrl();
    var running =
        TransferLoad.runInBackground(
            load, CLIENT_THREADS, i -> baseUrl, TENANT, apiKey, stop, acked);
    Eventually.await(
        Duration.ofSeconds(120),
        () -> assertTrue(acked.get() >= ACKS_BEFORE_CRASH || running.isDone()));
    stop.set(true);
    node.crash();
    Map<String, Result> results = running.get(2, TimeUnit.MINUTES);
    System.out.println(
        "CrashRecoveryTest: crashed after "
            + acked.get()
            + " acknowledgements; "
            + results.size()
            + " sent: "
            + TransferLoad.summary(results));
    assertTrue(results.size() < load.size(), "the crash came while transfers were being sent");
    assertTrue(
        results.values().stream().anyMatch(r -> r instanceof TransferLoad.Failed),
        "some requests were cut off by the crash");
    return results;
  }

  private static void assertSamePlan(Planned p, Final t) {
    assertNotNull(p, "unplanned transfer " + t.id());
    assertEquals(
        List.of(p.from(), p.to(), p.amount(), p.currency()),
        List.of(t.from(), t.to(), t.amount(), t.currency()),
        t.id());
  }
}
