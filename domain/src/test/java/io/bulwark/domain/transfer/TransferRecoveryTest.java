package io.bulwark.domain.transfer;

import static io.bulwark.domain.transfer.Saga.DESTINATION;
import static io.bulwark.domain.transfer.Saga.EXPECT;
import static io.bulwark.domain.transfer.Saga.LONG_WAIT;
import static io.bulwark.domain.transfer.Saga.PATIENT;
import static io.bulwark.domain.transfer.Saga.SOURCE;
import static io.bulwark.domain.transfer.Saga.TENANT;
import static io.bulwark.domain.transfer.Saga.classes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.domain.DomainTestConfig;
import io.bulwark.domain.TaggedEvents;
import io.bulwark.domain.account.Account;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** A transfer saga resumes from what it persisted, and tags what read models need. */
@ExtendWith({TestKitJUnit5Extension.class, LogCapturingExtension.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TransferRecoveryTest {

  // Every message between actors, including the saga's own asks and replies, must serialize.
  @JUnit5TestKit
  ActorTestKit testKit =
      new JUnit5TestKitBuilder().withCustomConfig(DomainTestConfig.serializingMessages()).build();

  PersistenceTestKit persistence = PersistenceTestKit.create(testKit.system());

  private Saga newSaga() {
    return new Saga(testKit, persistence);
  }

  // ---- recovery ----

  @Test
  void recoveryAfterTheCreditResumesWithSettleNotReserve() {
    var saga = newSaga();
    var at = Instant.parse("2025-01-01T00:00:00Z");
    persistence.persistForRecovery(
        saga.persistenceId.id(),
        List.of(saga.requested(at), new Transfer.DestinationCredited(saga.key, at)));
    saga.spawn(PATIENT);

    var settle = saga.expect(saga.source, Account.Settle.class);
    assertEquals(saga.key, settle.transferId());
    saga.done(settle);
    saga.done(saga.expect(saga.destination, Account.Forget.class));

    assertEquals(Transfer.TransferCompleted.class, classes(saga.stored()).get(2));
    var replay = saga.start().expectMessageClass(Outcome.class, EXPECT);
    assertEquals(Outcome.Kind.COMPLETED, replay.kind());
    assertTrue(replay.replayed());
    assertEquals(at, replay.transfer().createdAt());
  }

  @Test
  void recoveryWhileReservingResendsReserve() {
    var saga = newSaga();
    persistence.persistForRecovery(
        saga.persistenceId.id(), List.of(saga.requested(Instant.parse("2025-01-01T00:00:00Z"))));
    saga.spawn(PATIENT);

    saga.completeFromReserve();
  }

  @Test
  void aWakeStartsASleepingSagaAndARunningSagaIgnoresIt() {
    var saga = newSaga();
    persistence.persistForRecovery(
        saga.persistenceId.id(), List.of(saga.requested(Instant.parse("2025-01-01T00:00:00Z"))));
    saga.spawn(PATIENT);
    saga.ref.tell(new Transfer.Wake());
    var reserve = saga.expect(saga.source, Account.Reserve.class);

    // Woken again while its step is in flight: no second Reserve, no write.
    saga.ref.tell(new Transfer.Wake());
    saga.source.expectNoMessage(Duration.ofMillis(200));
    assertEquals(1, saga.stored().size());
    saga.done(reserve);
    saga.done(saga.expect(saga.destination, Account.Credit.class));
    saga.done(saga.expect(saga.source, Account.Settle.class));
    saga.done(saga.expect(saga.destination, Account.Forget.class));
    assertEquals(TransferView.COMPLETED, saga.get().status());
  }

  @Test
  void recoveryAfterCompletionResendsOnlyForget() {
    var saga = newSaga();
    var at = Instant.parse("2025-01-01T00:00:00Z");
    persistence.persistForRecovery(
        saga.persistenceId.id(),
        List.of(
            saga.requested(at),
            new Transfer.DestinationCredited(saga.key, at),
            new Transfer.TransferCompleted(
                TENANT, saga.key, SOURCE, DESTINATION, 100, "EUR", at, null, null)));
    saga.spawn(PATIENT);

    saga.done(saga.expect(saga.destination, Account.Forget.class));
    saga.source.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void sagaStoppedAfterTheCreditResumesWithSettleWhenStartedAgain() {
    var saga = newSaga().spawn(PATIENT);
    saga.start();
    saga.done(saga.expect(saga.source, Account.Reserve.class));
    saga.done(saga.expect(saga.destination, Account.Credit.class));
    saga.expect(saga.source, Account.Settle.class);

    saga.stop();
    saga.spawn(PATIENT);

    saga.done(saga.expect(saga.source, Account.Settle.class));
    saga.done(saga.expect(saga.destination, Account.Forget.class));
    var replay = saga.start().expectMessageClass(Outcome.class, EXPECT);
    assertEquals(new Outcome(Outcome.Kind.COMPLETED, replay.transfer(), true), replay);
    assertEquals(
        List.of(
            Transfer.TransferRequested.class,
            Transfer.DestinationCredited.class,
            Transfer.TransferCompleted.class),
        classes(saga.stored()));
  }

  @Test
  void aHandOffTellsWaitingClientsPendingAndTheSagaResumesWhereItMovesTo() {
    var saga = newSaga().spawn(PATIENT);
    var caller = saga.start();
    saga.expect(saga.source, Account.Reserve.class);

    saga.ref.tell(new Transfer.HandOff());
    var outcome = caller.expectMessageClass(Outcome.class, EXPECT);
    assertEquals(Outcome.Kind.PENDING, outcome.kind());
    testKit.createTestProbe().expectTerminated(saga.ref, EXPECT);

    saga.spawn(PATIENT);
    saga.completeFromReserve();
  }

  // ---- tags ----

  @Test
  void requestedCompletedAndRejectedCarryTheSliceTagAndDestinationCreditedDoesNot()
      throws Exception {
    var completed = newSaga().spawn(PATIENT);
    completed.completeHappyPath(completed.start());
    var rejected = newSaga().spawn(PATIENT);
    rejected.start(SOURCE, SOURCE, "fp-1", LONG_WAIT).expectMessageClass(Outcome.class);

    assertEquals(
        List.of(Transfer.TransferRequested.class, Transfer.TransferCompleted.class),
        TaggedEvents.classesInSlice(testKit.system(), completed.persistenceId.id()));
    assertEquals(
        List.of(Transfer.TransferRequested.class, Transfer.TransferRejected.class),
        TaggedEvents.classesInSlice(testKit.system(), rejected.persistenceId.id()));
    // the outcomes are webhook events too, under the tenant's tag; a rejection names the transfer
    String webhookTag = io.bulwark.domain.WebhookTags.tag(io.bulwark.domain.WebhookTags.of(TENANT));
    assertEquals(
        List.of(Transfer.TransferCompleted.class),
        TaggedEvents.of(testKit.system(), webhookTag, completed.persistenceId.id()).stream()
            .map(Object::getClass)
            .toList());
    var rejection =
        (Transfer.TransferRejected)
            TaggedEvents.of(testKit.system(), webhookTag, rejected.persistenceId.id()).get(0);
    assertEquals(SOURCE, rejection.from());
    assertEquals(SOURCE, rejection.to());
    assertEquals("EUR", rejection.currency());
  }
}
