package io.bulwark.domain.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.domain.DomainTestConfig;
import java.time.Instant;
import java.util.UUID;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.apache.pekko.persistence.typed.PersistenceId;

/** One account of its own per test, so no test depends on another's journal. */
final class AccountFixture {
  static final String TENANT = "acme";
  static final String EUR = "EUR";
  static final Instant AT = Instant.parse("2025-01-01T00:00:00Z");

  final String accountId = "acc-" + UUID.randomUUID();
  final PersistenceId persistenceId =
      PersistenceId.of(Account.ENTITY_KEY.name(), Account.entityId(TENANT, accountId));
  final EventSourcedBehaviorTestKit<Account.Command, Account.Event, Account.State> kit;

  AccountFixture(ActorSystem<?> system) {
    kit =
        EventSourcedBehaviorTestKit.create(
            system,
            Account.create(Account.entityId(TENANT, accountId), persistenceId),
            DomainTestConfig.verifiedSerialization());
  }

  CommandResultWithReply<Account.Command, Account.Event, Account.State, Account.OpenReply> open(
      Long overdraftLimit) {
    return kit.runCommand(r -> new Account.Open(EUR, overdraftLimit, AT, r));
  }

  CommandResultWithReply<Account.Command, Account.Event, Account.State, Account.StepReply> reserve(
      String transferId, long amount) {
    return kit.runCommand(r -> new Account.Reserve(transferId, amount, EUR, r));
  }

  CommandResultWithReply<Account.Command, Account.Event, Account.State, Account.StepReply> credit(
      String transferId, long amount) {
    return kit.runCommand(
        r -> new Account.Credit(transferId, amount, EUR, "other", "ref-" + transferId, AT, r));
  }

  CommandResultWithReply<Account.Command, Account.Event, Account.State, Account.StepReply> settle(
      String transferId) {
    return kit.runCommand(r -> new Account.Settle(transferId, "other", "ref-" + transferId, AT, r));
  }

  CommandResultWithReply<Account.Command, Account.Event, Account.State, Account.StepReply> release(
      String transferId) {
    return kit.runCommand(r -> new Account.Release(transferId, r));
  }

  CommandResultWithReply<Account.Command, Account.Event, Account.State, Account.StepReply> forget(
      String transferId) {
    return kit.runCommand(r -> new Account.Forget(transferId, r));
  }

  /** Recovery from the journal (and any snapshot) must rebuild exactly the state before. */
  void assertRecoveryRebuildsSameState() {
    var before = kit.getState();
    assertEquals(before, kit.restart().state());
    assertEquals(before, kit.getState());
  }

  static void assertDone(
      String transferId, CommandResultWithReply<?, ?, ?, Account.StepReply> result) {
    assertEquals(new Account.StepDone(transferId), result.reply());
  }

  static void assertRefused(
      String transferId, String reason, CommandResultWithReply<?, ?, ?, Account.StepReply> result) {
    assertEquals(new Account.StepRefused(transferId, reason), result.reply());
    assertTrue(result.hasNoEvents(), "a refusal persists nothing");
  }
}
