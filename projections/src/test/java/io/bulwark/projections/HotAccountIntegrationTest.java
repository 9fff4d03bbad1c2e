package io.bulwark.projections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.domain.Refusal;
import io.bulwark.domain.account.Account;
import io.bulwark.domain.account.AccountView;
import io.bulwark.domain.tenant.Tenant;
import io.bulwark.domain.transfer.Outcome;
import io.bulwark.domain.transfer.Transfer;
import io.bulwark.readmodel.Reconciliation;
import io.bulwark.testing.Eventually;
import io.bulwark.testing.Sql;
import io.bulwark.testing.TestCluster;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A hot account on a real node and PostgreSQL: 1,000 transfers at once, all paid from one treasury
 * account that can afford 600 of them. Its commands are decided in batches (ADR 0026), and the
 * money stays exact: exactly 600 complete, 400 are refused for insufficient funds, the treasury
 * ends at zero, its journal is one unbroken sequence, and the read model reconciles.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HotAccountIntegrationTest {
  private static final String TENANT = "hot";
  private static final int TRANSFERS = 1_000;
  private static final int AFFORDABLE = 600;
  private static final int DESTINATIONS = 10;
  private static final Duration ASK = Duration.ofSeconds(60);

  private LedgerNode node;

  @BeforeAll
  void startNode() throws Exception {
    node = LedgerNode.start("HotAccountIntegrationTest");
  }

  @AfterAll
  void stopNode() {
    node.close();
  }

  @Test
  void aThousandConcurrentTransfersFromOneAccountSettleExactly() throws Exception {
    node.sharding()
        .entityRefFor(Tenant.ENTITY_KEY, TENANT)
        .<Tenant.CreateReply>ask(replyTo -> new Tenant.Create("Hot", Instant.now(), replyTo), ASK)
        .toCompletableFuture()
        .get();
    TestCluster.openAccount(node.sharding(), TENANT, "cash", null);
    TestCluster.openAccount(node.sharding(), TENANT, "treasury", 0L);
    for (int d = 0; d < DESTINATIONS; d++) {
      TestCluster.openAccount(node.sharding(), TENANT, "shop-" + d, 0L);
    }
    assertEquals(
        Outcome.Kind.COMPLETED, transfer("funding", "cash", "treasury", AFFORDABLE).get().kind());

    List<CompletableFuture<Outcome>> outcomes = new ArrayList<>();
    for (int i = 0; i < TRANSFERS; i++) {
      outcomes.add(transfer("pay-" + i, "treasury", "shop-" + (i % DESTINATIONS), 1));
    }
    CompletableFuture.allOf(outcomes.toArray(new CompletableFuture[0])).get();

    Map<String, Long> byResult =
        outcomes.stream()
            .map(CompletableFuture::join)
            .collect(
                Collectors.groupingBy(
                    o ->
                        o.kind() == Outcome.Kind.REJECTED
                            ? "rejected " + o.transfer().reason()
                            : o.kind().toString(),
                    Collectors.counting()));
    assertEquals(
        Map.of(
            "COMPLETED",
            (long) AFFORDABLE,
            "rejected " + Refusal.INSUFFICIENT_FUNDS,
            (long) (TRANSFERS - AFFORDABLE)),
        byResult);
    assertEquals(new AccountView("treasury", "EUR", 0, 0, 0L, null), withoutTime(get("treasury")));
    long received = 0;
    for (int d = 0; d < DESTINATIONS; d++) {
      received += get("shop-" + d).balance();
    }
    assertEquals(AFFORDABLE, received);

    var gaps =
        new Sql(node.pool())
            .rows(
                "SELECT persistence_id FROM event_journal WHERE persistence_id LIKE 'Account|%'"
                    + " GROUP BY persistence_id"
                    + " HAVING count(*) <> max(sequence_number)"
                    + " OR count(DISTINCT sequence_number) <> count(*)");
    assertEquals(List.of(), gaps, "every account's journal is 1..n");
    Eventually.await(
        Duration.ofSeconds(60),
        () -> {
          var report =
              Reconciliation.create(node.system(), node.pool())
                  .forTenant(TENANT)
                  .toCompletableFuture()
                  .get();
          assertTrue(report.consistent(), () -> "differences: " + report.differences());
        });
  }

  private CompletableFuture<Outcome> transfer(String key, String from, String to, long amount) {
    return node.sharding()
        .entityRefFor(Transfer.ENTITY_KEY, Transfer.entityId(TENANT, key))
        .<Outcome>ask(
            replyTo -> new Transfer.Start(from, to, amount, "EUR", key, "fp-" + key, ASK, replyTo),
            ASK.plusSeconds(5))
        .toCompletableFuture();
  }

  private AccountView get(String accountId) throws Exception {
    return node.sharding()
        .entityRefFor(Account.ENTITY_KEY, Account.entityId(TENANT, accountId))
        .<Account.GetReply>ask(Account.Get::new, ASK)
        .toCompletableFuture()
        .get()
        .account();
  }

  private static AccountView withoutTime(AccountView v) {
    return new AccountView(
        v.id(), v.currency(), v.balance(), v.reserved(), v.overdraftLimit(), null);
  }
}
