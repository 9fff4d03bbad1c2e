package io.bulwark.domain.account;

import static io.bulwark.domain.account.AccountFixture.AT;
import static io.bulwark.domain.account.AccountFixture.EUR;
import static io.bulwark.domain.account.AccountFixture.TENANT;
import static io.bulwark.domain.account.AccountFixture.assertDone;
import static io.bulwark.domain.account.AccountFixture.assertRefused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.domain.DomainTestConfig;
import io.bulwark.domain.Refusal;
import io.bulwark.domain.Slices;
import io.bulwark.domain.TaggedEvents;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** Opening, the idempotent saga steps, recovery, snapshots and tags. */
@ExtendWith({TestKitJUnit5Extension.class, LogCapturingExtension.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccountTest {

  @JUnit5TestKit
  ActorTestKit testKit =
      new JUnit5TestKitBuilder().withCustomConfig(DomainTestConfig.config()).build();

  // ---- opening ----

  @Test
  void openingCreatesAnEmptyAccount() {
    var f = new AccountFixture(testKit.system());
    var result = f.open(500L);

    assertEquals(
        new Account.AccountOpened(TENANT, f.accountId, EUR, 500L, AT, null, null), result.event());
    assertEquals(
        new Account.Opened(new AccountView(f.accountId, EUR, 0, 0, 500L, AT)), result.reply());
    f.assertRecoveryRebuildsSameState();
  }

  @Test
  void secondOpenAnswersAlreadyExistsAndChangesNothing() {
    var f = new AccountFixture(testKit.system());
    f.open(500L);

    var again = f.kit.<Account.OpenReply>runCommand(r -> new Account.Open("USD", null, AT, r));

    assertTrue(again.hasNoEvents());
    assertEquals(
        new Account.AlreadyExists(new AccountView(f.accountId, EUR, 0, 0, 500L, AT)),
        again.reply());
  }

  @Test
  void getOnUnopenedAccountAnswersNull() {
    var f = new AccountFixture(testKit.system());
    var result = f.kit.<Account.GetReply>runCommand(Account.Get::new);
    assertNull(result.reply().account());
  }

  @Test
  void unopenedAccountRefusesReserveCreditAndSettleWithAccountNotFound() {
    var f = new AccountFixture(testKit.system());
    assertRefused("t1", Refusal.ACCOUNT_NOT_FOUND, f.reserve("t1", 10));
    assertRefused("t1", Refusal.ACCOUNT_NOT_FOUND, f.credit("t1", 10));
    assertRefused("t1", Refusal.ACCOUNT_NOT_FOUND, f.settle("t1"));
  }

  @Test
  void unopenedAccountAnswersReleaseAndForgetAsDone() {
    var f = new AccountFixture(testKit.system());
    var release = f.release("t1");
    assertDone("t1", release);
    assertTrue(release.hasNoEvents());
    var forget = f.forget("t1");
    assertDone("t1", forget);
    assertTrue(forget.hasNoEvents());
  }

  // ---- idempotent steps ----

  @Test
  void repeatedReserveChangesNothing() {
    var f = new AccountFixture(testKit.system());
    f.open(0L);
    f.credit("in", 1_000);

    var first = f.reserve("t1", 300);
    assertDone("t1", first);
    var reserved = first.eventOfType(Account.FundsReserved.class);
    assertEquals(TENANT, reserved.tenantId());
    assertEquals(f.accountId, reserved.accountId());
    assertEquals("t1", reserved.transferId());
    assertEquals(300, reserved.amount());
    assertEquals(300, reserved.reservedAfter());

    var second = f.reserve("t1", 300);
    assertDone("t1", second);
    assertTrue(second.hasNoEvents());
    assertEquals(300, second.state().reserved());
    assertEquals(1_000, second.state().balance());
    assertEquals(Map.of("t1", 300L), second.state().reservations());
    f.assertRecoveryRebuildsSameState();

    assertTrue(f.reserve("t1", 300).hasNoEvents(), "recovery kept the memory of the reservation");
  }

  @Test
  void repeatedCreditCreditsOnceUntilForgotten() {
    var f = new AccountFixture(testKit.system());
    f.open(0L);

    var first = f.credit("t1", 500);
    assertDone("t1", first);
    assertEquals(
        new Account.FundsCredited(TENANT, f.accountId, "t1", 500, 500, EUR, "other", "ref-t1", AT),
        first.event());

    var second = f.credit("t1", 500);
    assertDone("t1", second);
    assertTrue(second.hasNoEvents());
    assertEquals(500, second.state().balance());
    f.assertRecoveryRebuildsSameState();
    assertTrue(f.credit("t1", 500).hasNoEvents(), "recovery kept the memory of the credit");

    var forget = f.forget("t1");
    assertDone("t1", forget);
    assertEquals(new Account.CreditForgotten("t1"), forget.event());
    assertEquals(Set.of(), forget.state().credited());
    assertEquals(500, forget.state().balance());
    assertTrue(f.forget("t1").hasNoEvents(), "a second Forget changes nothing");

    var afterForget = f.credit("t1", 500);
    assertEquals(1_000, afterForget.eventOfType(Account.FundsCredited.class).balanceAfter());
    f.assertRecoveryRebuildsSameState();
  }

  @Test
  void repeatedSettleDebitsOnce() {
    var f = new AccountFixture(testKit.system());
    f.open(0L);
    f.credit("in", 1_000);
    f.reserve("t1", 300);

    var first = f.settle("t1");
    assertDone("t1", first);
    assertEquals(
        new Account.FundsDebited(
            TENANT, f.accountId, "t1", 300, 700, 0, EUR, "other", "ref-t1", AT),
        first.event());

    var second = f.settle("t1");
    assertDone("t1", second);
    assertTrue(second.hasNoEvents());
    assertEquals(700, second.state().balance());
    assertEquals(0, second.state().reserved());
    assertEquals(Map.of(), second.state().reservations());
    f.assertRecoveryRebuildsSameState();
    assertTrue(f.settle("t1").hasNoEvents(), "recovery kept the settlement");
  }

  @Test
  void settleKeepsOtherReservations() {
    var f = new AccountFixture(testKit.system());
    f.open(0L);
    f.credit("in", 1_000);
    f.reserve("t1", 300);
    f.reserve("t2", 200);

    var settled = f.settle("t1").eventOfType(Account.FundsDebited.class);

    assertEquals(700, settled.balanceAfter());
    assertEquals(200, settled.reservedAfter());
    assertEquals(Map.of("t2", 200L), f.kit.getState().reservations());
    f.assertRecoveryRebuildsSameState();
  }

  @Test
  void repeatedReleaseReleasesOnce() {
    var f = new AccountFixture(testKit.system());
    f.open(0L);
    f.credit("in", 1_000);
    f.reserve("t1", 300);
    f.reserve("t2", 100);

    var first = f.release("t1");
    assertDone("t1", first);
    var released = first.eventOfType(Account.ReservationReleased.class);
    assertEquals("t1", released.transferId());
    assertEquals(300, released.amount());
    assertEquals(100, released.reservedAfter());
    assertEquals(1_000, first.state().balance());

    var second = f.release("t1");
    assertDone("t1", second);
    assertTrue(second.hasNoEvents());
    assertEquals(100, second.state().reserved());
    assertEquals(Map.of("t2", 100L), second.state().reservations());
    f.assertRecoveryRebuildsSameState();
  }

  @Test
  void settleAfterReleaseDebitsNothing() {
    var f = new AccountFixture(testKit.system());
    f.open(0L);
    f.credit("in", 1_000);
    f.reserve("t1", 300);
    f.release("t1");

    var settle = f.settle("t1");

    assertDone("t1", settle);
    assertTrue(settle.hasNoEvents());
    assertEquals(1_000, settle.state().balance());
  }

  // ---- recovery, snapshots, tags ----

  @Test
  void recoveryAfterAMixedSequenceGivesTheSameState() {
    var f = new AccountFixture(testKit.system());
    f.open(1_000L);
    f.credit("c1", 5_000);
    f.reserve("t1", 2_000);
    f.reserve("t2", 3_000);
    f.reserve("t3", 500);
    f.settle("t1");
    f.release("t2");
    f.credit("c2", 10);
    f.forget("c1");

    var state = f.kit.getState();
    assertEquals(5_000 - 2_000 + 10, state.balance());
    assertEquals(500, state.reserved());
    assertEquals(Map.of("t3", 500L), state.reservations());
    assertEquals(Set.of("c2"), state.credited());
    f.assertRecoveryRebuildsSameState();
  }

  @Test
  void snapshotStateRoundTripsAndRecoveryStartsFromIt() {
    var f = new AccountFixture(testKit.system());
    f.open(null);
    for (int i = 0; i < 60; i++) {
      f.credit("c" + i, 10);
      f.reserve("r" + i, 3);
    }
    var snapshots = f.kit.snapshotTestKit().orElseThrow();
    var stored = snapshots.persistedInStorage(f.persistenceId.id());
    assertFalse(stored.isEmpty(), "snapshotEvery(100) wrote a snapshot after 121 events");
    assertEquals(100, stored.get(stored.size() - 1).first().sequenceNr());
    var snapshot = assertInstanceOf(Account.State.class, stored.get(stored.size() - 1).second());
    assertEquals(EUR, snapshot.currency());
    assertEquals(500, snapshot.balance());
    assertEquals(147, snapshot.reserved());
    assertEquals(49, snapshot.reservations().size());

    f.assertRecoveryRebuildsSameState();
    assertEquals(600, f.kit.getState().balance());
    assertEquals(180, f.kit.getState().reserved());
  }

  @Test
  void eventsReadModelsNeedCarryTheSliceTagAndCreditForgottenDoesNot() throws Exception {
    var f = new AccountFixture(testKit.system());
    f.open(0L);
    f.credit("c1", 1_000);
    f.reserve("t1", 100);
    f.settle("t1");
    f.reserve("t2", 100);
    f.release("t2");
    f.forget("c1");

    var slice = Slices.of(f.persistenceId.id());
    assertEquals(
        List.of(
            Account.AccountOpened.class,
            Account.FundsCredited.class,
            Account.FundsReserved.class,
            Account.FundsDebited.class,
            Account.FundsReserved.class,
            Account.ReservationReleased.class),
        TaggedEvents.classesInSlice(testKit.system(), f.persistenceId.id()));
    // only the opening is a webhook event, under the tenant's webhook tag
    assertEquals(
        List.of(Account.AccountOpened.class),
        TaggedEvents.of(
                testKit.system(),
                io.bulwark.domain.WebhookTags.tag(io.bulwark.domain.WebhookTags.of(TENANT)),
                f.persistenceId.id())
            .stream()
            .map(Object::getClass)
            .toList());
    for (int other = 0; other < Slices.COUNT; other++) {
      if (other != slice) {
        assertEquals(
            List.of(), TaggedEvents.of(testKit.system(), Slices.tag(other), f.persistenceId.id()));
      }
    }
    var all = f.kit.persistenceTestKit().persistedInStorage(f.persistenceId.id());
    assertEquals(new Account.CreditForgotten("c1"), all.get(all.size() - 1));
  }
}
