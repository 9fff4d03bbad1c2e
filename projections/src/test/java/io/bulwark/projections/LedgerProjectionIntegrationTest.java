package io.bulwark.projections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.domain.account.AccountView;
import io.bulwark.domain.tenant.Tenant;
import io.bulwark.domain.transfer.Outcome;
import io.bulwark.domain.transfer.Transfer;
import io.bulwark.domain.transfer.TransferView;
import io.bulwark.readmodel.EntryView;
import io.bulwark.readmodel.ReadModelQueries;
import io.bulwark.readmodel.Reconciliation;
import io.bulwark.testing.Eventually;
import io.bulwark.testing.TestCluster;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A real single-node cluster with the JDBC journal on PostgreSQL: a transfer made through the
 * entities reaches the read model through the projection, and reconciliation finds no difference.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LedgerProjectionIntegrationTest {
  private static final Duration ASK = Duration.ofSeconds(15);
  private static final Duration SETTLE = Duration.ofSeconds(30);
  private static final String TENANT = "acme";

  private LedgerNode node;
  private ActorSystem<?> system;
  private ClusterSharding sharding;
  private DataSource pool;
  private ReadModelQueries queries;

  @BeforeAll
  void startNode() throws Exception {
    node = LedgerNode.start("LedgerProjectionIntegrationTest");
    system = node.system();
    sharding = node.sharding();
    pool = node.pool();
    queries = node.queries();
  }

  @AfterAll
  void stopNode() {
    node.close();
  }

  @Test
  void completedTransferReachesTheReadModelAndReconciles() throws Exception {
    sharding
        .entityRefFor(Tenant.ENTITY_KEY, TENANT)
        .<Tenant.CreateReply>ask(replyTo -> new Tenant.Create("Acme", Instant.now(), replyTo), ASK)
        .toCompletableFuture()
        .get();
    open("cash", null);
    open("alice", 0L);

    Outcome outcome =
        sharding
            .entityRefFor(Transfer.ENTITY_KEY, Transfer.entityId(TENANT, "deposit-1"))
            .<Outcome>ask(
                replyTo ->
                    new Transfer.Start(
                        "cash", "alice", 1250, "EUR", "first deposit", "fp-1", ASK, replyTo),
                ASK.plusSeconds(5))
            .toCompletableFuture()
            .get();
    assertEquals(Outcome.Kind.COMPLETED, outcome.kind());

    Eventually.await(
        SETTLE,
        () -> {
          var transfers =
              queries.listTransfers(TENANT, null, 10, null).toCompletableFuture().join();
          assertEquals(1, transfers.items().size());
          TransferView transfer = transfers.items().get(0);
          assertEquals(TransferView.COMPLETED, transfer.status());
          assertEquals(1250, transfer.amount());

          List<EntryView> cash = entries("cash");
          List<EntryView> alice = entries("alice");
          assertEquals(1, cash.size());
          assertEquals(1, alice.size());
          assertEquals(-1250, cash.get(0).amount());
          assertEquals(1250, alice.get(0).amount());
          assertEquals("deposit-1", alice.get(0).transferId());

          List<AccountView> accounts =
              queries.listAccounts(TENANT, 10, null).toCompletableFuture().join().items();
          assertEquals(2, accounts.size());
          assertEquals(0, accounts.stream().mapToLong(AccountView::balance).sum());
          assertEquals(0, accounts.stream().mapToLong(AccountView::reserved).sum());
        });

    var report = Reconciliation.create(system, pool).forTenant(TENANT).toCompletableFuture().get();
    assertEquals(2, report.checked());
    assertTrue(report.consistent(), () -> "differences: " + report.differences());
    var everything =
        Reconciliation.create(system, pool).forAllAccounts().toCompletableFuture().get();
    assertEquals(2, everything.checked());
    assertTrue(queries.ping(Duration.ofSeconds(2)).toCompletableFuture().get());
  }

  private void open(String accountId, Long overdraftLimit) throws Exception {
    TestCluster.openAccount(sharding, TENANT, accountId, overdraftLimit);
  }

  private List<EntryView> entries(String accountId) {
    return queries.listEntries(TENANT, accountId, 10, null).toCompletableFuture().join().items();
  }
}
