package io.bulwark.projections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.deadletters.DeadLetter;
import io.bulwark.deadletters.ProjectionDeadLetters;
import io.bulwark.domain.Slices;
import io.bulwark.domain.account.Account;
import io.bulwark.domain.tenant.Tenant;
import io.bulwark.domain.transfer.Outcome;
import io.bulwark.domain.transfer.Transfer;
import io.bulwark.domain.transfer.TransferView;
import io.bulwark.readmodel.EntryView;
import io.bulwark.readmodel.ReadModelQueries;
import io.bulwark.readmodel.Reconciliation;
import io.bulwark.testing.Eventually;
import io.bulwark.testing.Sql;
import io.bulwark.testing.TestCluster;
import io.bulwark.webhooks.WebhookProjectionHandler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The defect of issue 19, on a real cluster: a transfer whose reference holds a NUL reaches the
 * journal as an older version let it (straight to the entities, past today's edge). The projection
 * parks its events and keeps going for the other tenant sharing its slices; the dead letters name
 * the error; reconciliation sees the difference; a replay without repair fails again, one with the
 * text repair brings the read model to exactly the entities' state, in order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PoisonEventIntegrationTest {
  private static final Duration ASK = TestCluster.ASK;
  private static final String EVIL = "evil";
  private static final String GOOD = "good";
  private static final int GOOD_TRANSFERS = 40;

  private LedgerNode node;
  private ActorSystem<?> system;
  private ClusterSharding sharding;
  private DataSource pool;
  private ReadModelQueries queries;
  private ProjectionDeadLetters deadLetters;

  @BeforeAll
  void startNode() throws Exception {
    node = LedgerNode.start("PoisonEventIntegrationTest");
    system = node.system();
    sharding = node.sharding();
    pool = node.pool();
    queries = node.queries();
    deadLetters =
        new ProjectionDeadLetters(
            system,
            pool,
            Map.of(
                LedgerProjection.NAME,
                LedgerProjectionHandler.WRITER,
                "webhooks",
                WebhookProjectionHandler.WRITER));
  }

  @AfterAll
  void stopNode() {
    node.close();
  }

  @Test
  void aPoisonEventIsParkedOthersFlowAndAReplayWithRepairReconciles() throws Exception {
    createTenant(EVIL);
    createTenant(GOOD);
    TestCluster.openAccount(sharding, EVIL, "cash", null);
    TestCluster.openAccount(sharding, EVIL, "alice", 0L);
    TestCluster.openAccount(sharding, GOOD, "cash", null);
    // The good tenant's account and transfers share the slices of the poisoned entities.
    String bob =
        accountIdInSliceOf(GOOD, Account.ENTITY_KEY.name() + "|" + Account.entityId(EVIL, "alice"));
    TestCluster.openAccount(sharding, GOOD, bob, 0L);

    assertEquals(
        Outcome.Kind.COMPLETED,
        transfer(EVIL, "poison-1", "cash", "alice", 100, "rent\u0000").kind());
    assertEquals(
        Outcome.Kind.COMPLETED, transfer(EVIL, "after-1", "cash", "alice", 50, "later").kind());

    String poisonTransfer = Transfer.ENTITY_KEY.name() + "|" + Transfer.entityId(EVIL, "poison-1");
    var keys = keysInSliceOf(GOOD, poisonTransfer, GOOD_TRANSFERS);
    for (String key : keys) {
      assertEquals(Outcome.Kind.COMPLETED, transfer(GOOD, key, "cash", bob, 10, "fine").kind());
    }
    long acknowledged = System.nanoTime();
    Eventually.await(
        Duration.ofSeconds(2),
        () -> {
          assertEquals(GOOD_TRANSFERS, completed(GOOD).size());
          assertEquals(10L * GOOD_TRANSFERS, entries(GOOD, bob).get(0).balanceAfter());
        });
    System.out.printf(
        "PoisonEventIntegrationTest: %d transfers of the other tenant in the poisoned slices"
            + " projected %d ms after the last acknowledgement%n",
        GOOD_TRANSFERS, (System.nanoTime() - acknowledged) / 1_000_000);

    // Parked: the poison events of the transfer and both accounts, and what came after them.
    Eventually.await(
        Duration.ofSeconds(10),
        () -> {
          var failed = list(EVIL).stream().filter(d -> d.state().equals("failed")).toList();
          assertEquals(3, failed.size(), () -> "failed: " + failed);
          failed.forEach(d -> assertEquals("22021", d.sqlState(), d::toString));
        });
    var parked = list(EVIL);
    assertTrue(parked.stream().anyMatch(d -> d.persistenceId().equals(poisonTransfer)));
    assertTrue(parked.stream().anyMatch(d -> d.state().equals("behind")));
    assertTrue(list(GOOD).isEmpty());

    var before = reconciliation().forTenant(EVIL).toCompletableFuture().get();
    assertFalse(before.consistent(), "reconciliation sees what the read model lacks");
    var transfersBefore = reconciliation().transfers(EVIL).toCompletableFuture().get();
    assertFalse(transfersBefore.consistent(), () -> "transfers: " + transfersBefore);
    assertEquals(2, transfersBefore.journal().completed());
    assertEquals(1, transfersBefore.readModel().completed(), "the poisoned transfer is parked");

    var unrepaired = deadLetters.replay(EVIL, null, null, false).toCompletableFuture().get();
    assertEquals(0, unrepaired.replayed());
    assertEquals(parked.size(), unrepaired.stillParked());
    assertEquals(3, unrepaired.failures().size());

    var repaired = deadLetters.replay(EVIL, null, null, true).toCompletableFuture().get();
    assertEquals(parked.size(), repaired.replayed(), () -> "failures: " + repaired.failures());
    assertEquals(0, repaired.stillParked());
    assertTrue(list(EVIL).isEmpty());

    var after = reconciliation().forTenant(EVIL).toCompletableFuture().get();
    assertTrue(after.consistent(), () -> "differences: " + after.differences());
    var transfersAfter = reconciliation().transfers(EVIL).toCompletableFuture().get();
    assertTrue(transfersAfter.consistent(), () -> "transfers: " + transfersAfter);
    var evilTransfers = completed(EVIL);
    assertEquals(2, evilTransfers.size());
    assertTrue(evilTransfers.stream().anyMatch(t -> "rent\uFFFD".equals(t.reference())));
    var alice = entries(EVIL, "alice");
    assertEquals(List.of(150L, 100L), alice.stream().map(EntryView::balanceAfter).toList());

    // The entity is no longer parked: its next event goes straight to the read model.
    assertEquals(
        Outcome.Kind.COMPLETED, transfer(EVIL, "after-2", "cash", "alice", 1, "ok").kind());
    Eventually.await(
        Duration.ofSeconds(10),
        () -> assertEquals(151L, entries(EVIL, "alice").get(0).balanceAfter()));
    assertTrue(list(EVIL).isEmpty());
  }

  /**
   * A stored row this version cannot read (a type of a newer version, rolled back) no longer fails
   * the slice's event stream: it is parked, and the other tenant's next transfer in that slice
   * reaches the read model.
   */
  @Test
  void aRowThisVersionCannotReadIsParkedAndTheSliceGoesOn() throws Exception {
    createTenant("later");
    TestCluster.openAccount(sharding, "later", "cash", null);
    String future = Account.ENTITY_KEY.name() + "|" + Account.entityId("future", "x");
    var sql = new Sql(pool);
    sql.update(
        "INSERT INTO event_journal (persistence_id, sequence_number, writer, write_timestamp,"
            + " adapter_manifest, event_ser_id, event_ser_manifest, event_payload)"
            + " VALUES (?, 1, 'newer-version', 0, '', 7102, '', ?)",
        future,
        "{\"type\":\"funds-teleported\",\"tenantId\":\"future\"}"
            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    sql.update(
        "INSERT INTO event_tag (event_id, tag) SELECT ordering, ? FROM event_journal"
            + " WHERE persistence_id = ?",
        Slices.tag(Slices.of(future)),
        future);
    String bob = accountIdInSliceOf("later", future);
    TestCluster.openAccount(sharding, "later", bob, 0L);
    assertEquals(Outcome.Kind.COMPLETED, transfer("later", "l-1", "cash", bob, 7, "x").kind());

    Eventually.await(
        Duration.ofSeconds(10),
        () -> assertEquals(7L, entries("later", bob).get(0).balanceAfter()));
    Eventually.await(
        Duration.ofSeconds(10),
        () -> {
          var parked = list("future");
          assertEquals(1, parked.size(), parked::toString);
          assertEquals("UnreadableEvent", parked.get(0).eventType());
          assertTrue(parked.get(0).error().contains("funds-teleported"), parked.get(0)::error);
        });
  }

  private Reconciliation reconciliation() {
    return Reconciliation.create(system, pool);
  }

  private void createTenant(String id) throws Exception {
    sharding
        .entityRefFor(Tenant.ENTITY_KEY, id)
        .<Tenant.CreateReply>ask(replyTo -> new Tenant.Create(id, Instant.now(), replyTo), ASK)
        .toCompletableFuture()
        .get();
  }

  private Outcome transfer(
      String tenant, String key, String from, String to, long amount, String reference)
      throws Exception {
    return sharding
        .entityRefFor(Transfer.ENTITY_KEY, Transfer.entityId(tenant, key))
        .<Outcome>ask(
            replyTo ->
                new Transfer.Start(from, to, amount, "EUR", reference, "fp-" + key, ASK, replyTo),
            ASK.plusSeconds(5))
        .toCompletableFuture()
        .get();
  }

  private static String accountIdInSliceOf(String tenant, String persistenceId) {
    for (int i = 0; ; i++) {
      String id = "bob-" + i;
      if (Slices.of(Account.ENTITY_KEY.name() + "|" + Account.entityId(tenant, id))
          == Slices.of(persistenceId)) {
        return id;
      }
    }
  }

  private static List<String> keysInSliceOf(String tenant, String persistenceId, int n) {
    var keys = new ArrayList<String>();
    for (int i = 0; keys.size() < n; i++) {
      String key = "good-" + i;
      if (Slices.of(Transfer.ENTITY_KEY.name() + "|" + Transfer.entityId(tenant, key))
          == Slices.of(persistenceId)) {
        keys.add(key);
      }
    }
    return keys;
  }

  private List<DeadLetter> list(String tenant) {
    return deadLetters.list(tenant, null, 100, null).toCompletableFuture().join().items();
  }

  private List<TransferView> completed(String tenant) {
    return queries
        .listTransfers(tenant, null, 100, null)
        .toCompletableFuture()
        .join()
        .items()
        .stream()
        .filter(t -> t.status().equals(TransferView.COMPLETED))
        .toList();
  }

  private List<EntryView> entries(String tenant, String accountId) {
    return queries.listEntries(tenant, accountId, 100, null).toCompletableFuture().join().items();
  }
}
