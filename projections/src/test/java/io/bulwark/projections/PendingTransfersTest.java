package io.bulwark.projections;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import io.bulwark.domain.account.Account;
import io.bulwark.domain.transfer.Outcome;
import io.bulwark.domain.transfer.Transfer;
import io.bulwark.domain.transfer.TransferSettings;
import io.bulwark.projections.PendingTransfers.Pending;
import io.bulwark.testing.Eventually;
import io.bulwark.testing.Sql;
import io.bulwark.testing.TestCluster;
import io.bulwark.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The sweeper finds what the read model shows pending, oldest first and page by page, and a saga
 * left asleep after its first event is woken by it and finishes against the real accounts.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PendingTransfersTest {
  private static final Duration ASK = TestCluster.ASK;
  private static final String TENANT = "sweep";

  private TestDatabase db;
  private ActorTestKit testKit;
  private ClusterSharding sharding;

  @BeforeAll
  void startNode() throws Exception {
    db = TestDatabase.create();
    testKit =
        TestCluster.start(
            "PendingTransfersTest",
            db,
            ConfigFactory.parseString(
                "bulwark.pending-transfers { sweep-interval = 200ms, older-than = 1s }"));
    var system = testKit.system();
    Account.init(system);
    Transfer.init(system);
    var pool = SharedPool.dataSource(system);
    LedgerProjection.init(system, pool);
    PendingTransfers.init(system, pool);
    sharding = ClusterSharding.get(system);
  }

  @AfterAll
  void stopNode() {
    TestCluster.stop(testKit, db);
  }

  @Test
  void findsOnlyOldPendingTransfersOldestFirstAndGoesOnAfterAPage() throws Exception {
    var sql = new Sql(db.dataSource());
    var t0 = OffsetDateTime.of(2020, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);
    row(sql, "q-b", "p2", "pending", t0.plusSeconds(1));
    row(sql, "q-a", "p3", "pending", t0.plusSeconds(1)); // same time: tenant decides
    row(sql, "q-a", "p1", "pending", t0);
    row(sql, "q-a", "done", "completed", t0);
    row(sql, "q-a", "no", "rejected", t0);
    row(sql, "q-a", "young", "pending", t0.plusSeconds(60));
    Instant cutoff = t0.plusSeconds(30).toInstant();

    var first = PendingTransfers.find(db.dataSource(), cutoff, null, 2);
    assertEquals(List.of("p1", "p3"), ids(first));
    var second = PendingTransfers.find(db.dataSource(), cutoff, first.get(1), 2);
    assertEquals(List.of("p2"), ids(second));
    assertEquals(t0.plusSeconds(1).toInstant(), second.get(0).createdAt());
    assertEquals(List.of(), PendingTransfers.find(db.dataSource(), cutoff, second.get(0), 2));
  }

  @Test
  void aSagaLeftAsleepAfterItsFirstEventIsWokenAndFinishes() throws Exception {
    open("from", null);
    open("to", 0L);
    // The saga writes TransferRequested, asks accounts that never answer, and stops: what a node
    // crash right after the first event leaves behind. Nothing would start it again.
    String key = "asleep-1";
    String entityId = Transfer.entityId(TENANT, key);
    TestProbe<Account.Command> silent = testKit.createTestProbe(Account.Command.class);
    var settings =
        new TransferSettings(
            Duration.ofSeconds(30),
            Duration.ofSeconds(30),
            Duration.ofSeconds(30),
            Duration.ofHours(1),
            Duration.ofHours(1));
    var lonely =
        testKit.spawn(
            Transfer.create(
                entityId,
                PersistenceId.of(Transfer.ENTITY_KEY.name(), entityId),
                (tenant, account) -> silent.ref(),
                settings,
                null));
    TestProbe<Outcome> caller = testKit.createTestProbe(Outcome.class);
    lonely.tell(
        new Transfer.Start(
            "from", "to", 700, "EUR", null, "fp", Duration.ofMillis(100), caller.ref()));
    assertEquals(Outcome.Kind.PENDING, caller.expectMessageClass(Outcome.class).kind());
    silent.expectMessageClass(Account.Reserve.class);
    testKit.stop(lonely, Duration.ofSeconds(5));

    // Watched from outside: a Get to the saga would itself start it.
    var sql = new Sql(db.dataSource());
    Eventually.await(
        Duration.ofSeconds(30),
        () ->
            assertEquals(
                "completed",
                sql.value(
                    "SELECT status FROM transfers WHERE tenant_id = ? AND transfer_id = ?",
                    TENANT,
                    key)));
    assertEquals(-700, balance("from"));
    assertEquals(700, balance("to"));
  }

  private void open(String accountId, Long overdraftLimit) throws Exception {
    TestCluster.openAccount(sharding, TENANT, accountId, overdraftLimit);
  }

  private long balance(String accountId) throws Exception {
    return sharding
        .entityRefFor(Account.ENTITY_KEY, Account.entityId(TENANT, accountId))
        .ask(Account.Get::new, ASK)
        .toCompletableFuture()
        .get()
        .account()
        .balance();
  }

  private static void row(Sql sql, String tenant, String id, String status, OffsetDateTime at)
      throws Exception {
    sql.update(
        "INSERT INTO transfers (tenant_id, transfer_id, from_account, to_account, amount,"
            + " currency, status, created_at) VALUES (?, ?, 'a', 'b', 1, 'EUR', ?, ?)",
        tenant,
        id,
        status,
        at);
  }

  private static List<String> ids(List<Pending> pending) {
    return pending.stream().map(Pending::transferId).toList();
  }
}
