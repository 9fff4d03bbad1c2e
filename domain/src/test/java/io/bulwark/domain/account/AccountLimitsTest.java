package io.bulwark.domain.account;

import static io.bulwark.domain.account.AccountFixture.AT;
import static io.bulwark.domain.account.AccountFixture.assertDone;
import static io.bulwark.domain.account.AccountFixture.assertRefused;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.bulwark.domain.DomainTestConfig;
import io.bulwark.domain.Refusal;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** What an account refuses: funds, overdraft, currency and overflow. */
@ExtendWith({TestKitJUnit5Extension.class, LogCapturingExtension.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccountLimitsTest {

  @JUnit5TestKit
  ActorTestKit testKit =
      new JUnit5TestKitBuilder().withCustomConfig(DomainTestConfig.config()).build();

  @Test
  void refusalForInsufficientFundsLeavesStateUnchanged() {
    var f = new AccountFixture(testKit.system());
    f.open(0L);
    f.credit("in", 100);
    f.reserve("t1", 60);
    var before = f.kit.getState();

    var refused = f.reserve("t2", 41);

    assertRefused("t2", Refusal.INSUFFICIENT_FUNDS, refused);
    assertEquals(before, refused.state());
    f.assertRecoveryRebuildsSameState();
  }

  @Test
  void overdraftLimitLetsAvailableReachMinusLimitButNotBelow() {
    var f = new AccountFixture(testKit.system());
    f.open(100L);
    f.credit("in", 50);

    var toTheLimit = f.reserve("t1", 150);
    assertDone("t1", toTheLimit);
    assertEquals(-100, toTheLimit.state().balance() - toTheLimit.state().reserved());

    assertRefused("t2", Refusal.INSUFFICIENT_FUNDS, f.reserve("t2", 1));

    var settled = f.settle("t1").eventOfType(Account.FundsDebited.class);
    assertEquals(-100, settled.balanceAfter());
    assertRefused("t3", Refusal.INSUFFICIENT_FUNDS, f.reserve("t3", 1));
    f.assertRecoveryRebuildsSameState();
  }

  @Test
  void unlimitedAccountCanGoNegative() {
    var f = new AccountFixture(testKit.system());
    f.open(null);

    assertDone("t1", f.reserve("t1", 1_000_000));
    var debited = f.settle("t1").eventOfType(Account.FundsDebited.class);

    assertEquals(-1_000_000, debited.balanceAfter());
    assertEquals(-1_000_000, f.kit.getState().balance());
    f.assertRecoveryRebuildsSameState();
  }

  @Test
  void currencyMismatchIsRefused() {
    var f = new AccountFixture(testKit.system());
    f.open(null);
    f.credit("in", 100);
    var before = f.kit.getState();

    assertRefused(
        "t1",
        Refusal.CURRENCY_MISMATCH,
        f.kit.runCommand(r -> new Account.Reserve("t1", 10, "USD", r)));
    assertRefused(
        "t2",
        Refusal.CURRENCY_MISMATCH,
        f.kit.runCommand(r -> new Account.Credit("t2", 10, "USD", "other", "ref", AT, r)));
    assertEquals(before, f.kit.getState());
  }

  @Test
  void creditThatWouldOverflowIsRefusedAsAmountOutOfRange() {
    var f = new AccountFixture(testKit.system());
    f.open(0L);
    f.credit("t1", Long.MAX_VALUE);

    assertRefused("t2", Refusal.AMOUNT_OUT_OF_RANGE, f.credit("t2", 1));
    assertEquals(Long.MAX_VALUE, f.kit.getState().balance());
    assertEquals(Set.of("t1"), f.kit.getState().credited());
  }

  @Test
  void reserveThatWouldOverflowReservedIsRefusedAsAmountOutOfRange() {
    var f = new AccountFixture(testKit.system());
    f.open(null);
    f.reserve("t1", Long.MAX_VALUE);

    assertRefused("t2", Refusal.AMOUNT_OUT_OF_RANGE, f.reserve("t2", 1));
    assertEquals(Long.MAX_VALUE, f.kit.getState().reserved());
  }

  @Test
  void reserveThatWouldOverflowAvailableIsRefusedAsAmountOutOfRange() {
    var f = new AccountFixture(testKit.system());
    f.open(null);
    f.reserve("t1", Long.MAX_VALUE);
    f.settle("t1");
    assertEquals(-Long.MAX_VALUE, f.kit.getState().balance());

    assertRefused("t2", Refusal.AMOUNT_OUT_OF_RANGE, f.reserve("t2", 2));
    f.assertRecoveryRebuildsSameState();
  }
}
