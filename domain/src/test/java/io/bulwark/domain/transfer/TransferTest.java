package io.bulwark.domain.transfer;

import static io.bulwark.domain.transfer.Saga.DESTINATION;
import static io.bulwark.domain.transfer.Saga.EXPECT;
import static io.bulwark.domain.transfer.Saga.IMPATIENT;
import static io.bulwark.domain.transfer.Saga.LONG_WAIT;
import static io.bulwark.domain.transfer.Saga.PATIENT;
import static io.bulwark.domain.transfer.Saga.SOURCE;
import static io.bulwark.domain.transfer.Saga.TENANT;
import static io.bulwark.domain.transfer.Saga.classes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.bulwark.domain.DomainTestConfig;
import io.bulwark.domain.Refusal;
import io.bulwark.domain.account.Account;
import java.time.Duration;
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

/** The transfer saga against fake accounts: its path, refusals, idempotency and timing. */
@ExtendWith({TestKitJUnit5Extension.class, LogCapturingExtension.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TransferTest {

  // Every message between actors, including the saga's own asks and replies, must serialize.
  @JUnit5TestKit
  ActorTestKit testKit =
      new JUnit5TestKitBuilder().withCustomConfig(DomainTestConfig.serializingMessages()).build();

  PersistenceTestKit persistence = PersistenceTestKit.create(testKit.system());

  private Saga newSaga() {
    return new Saga(testKit, persistence);
  }

  // ---- the happy path ----

  @Test
  void transferReservesCreditsSettlesAnswersCompletedThenForgetsTheCredit() {
    var saga = newSaga().spawn(PATIENT);
    var caller = saga.start();

    var reserve = saga.expect(saga.source, Account.Reserve.class);
    assertEquals(saga.key, reserve.transferId());
    assertEquals(100, reserve.amount());
    assertEquals("EUR", reserve.currency());
    saga.done(reserve);

    var credit = saga.expect(saga.destination, Account.Credit.class);
    assertEquals(saga.key, credit.transferId());
    assertEquals(100, credit.amount());
    assertEquals("EUR", credit.currency());
    assertEquals(SOURCE, credit.counterparty());
    assertEquals("invoice 7", credit.reference());
    saga.done(credit);

    var settle = saga.expect(saga.source, Account.Settle.class);
    assertEquals(saga.key, settle.transferId());
    assertEquals(DESTINATION, settle.counterparty());
    assertEquals("invoice 7", settle.reference());
    saga.done(settle);

    var outcome = caller.expectMessageClass(Outcome.class, EXPECT);
    assertEquals(Outcome.Kind.COMPLETED, outcome.kind());
    assertFalse(outcome.replayed());
    var view = outcome.transfer();
    assertEquals(saga.key, view.id());
    assertEquals(SOURCE, view.from());
    assertEquals(DESTINATION, view.to());
    assertEquals(100, view.amount());
    assertEquals("EUR", view.currency());
    assertEquals("invoice 7", view.reference());
    assertEquals(TransferView.COMPLETED, view.status());
    assertNull(view.reason());
    assertNotNull(view.createdAt());
    assertNotNull(view.completedAt());

    saga.done(saga.expect(saga.destination, Account.Forget.class));
    saga.source.expectNoMessage(Duration.ofMillis(200));
    saga.destination.expectNoMessage(Duration.ZERO);

    var requested =
        persistence.expectNextPersistedClass(
            saga.persistenceId.id(), Transfer.TransferRequested.class);
    assertEquals(saga.requested(requested.at()), requested);
    persistence.expectNextPersistedClass(
        saga.persistenceId.id(), Transfer.DestinationCredited.class);
    var completed =
        persistence.expectNextPersistedClass(
            saga.persistenceId.id(), Transfer.TransferCompleted.class);
    assertEquals(
        new Transfer.TransferCompleted(
            TENANT, saga.key, SOURCE, DESTINATION, 100, "EUR", completed.at(), null, null),
        completed);
    persistence.expectNothingPersisted(saga.persistenceId.id(), Duration.ofMillis(100));
    assertEquals(view, saga.get());
  }

  // ---- refusals ----

  @Test
  void reserveRefusedForInsufficientFundsRejectsWithoutCrediting() {
    var saga = newSaga().spawn(PATIENT);
    var caller = saga.start();

    saga.refuse(saga.expect(saga.source, Account.Reserve.class), Refusal.INSUFFICIENT_FUNDS);

    var outcome = caller.expectMessageClass(Outcome.class, EXPECT);
    assertEquals(Outcome.Kind.REJECTED, outcome.kind());
    assertEquals(TransferView.REJECTED, outcome.transfer().status());
    assertEquals(Refusal.INSUFFICIENT_FUNDS, outcome.transfer().reason());
    saga.destination.expectNoMessage(Duration.ofMillis(200));
    saga.source.expectNoMessage(Duration.ZERO);
    assertEquals(
        List.of(Transfer.TransferRequested.class, Transfer.TransferRejected.class),
        classes(saga.stored()));
    var rejected = (Transfer.TransferRejected) saga.stored().get(1);
    assertEquals(Refusal.INSUFFICIENT_FUNDS, rejected.reason());
  }

  @Test
  void creditRefusedReleasesTheReservationThenRejectsWithTheCreditsReason() {
    var saga = newSaga().spawn(PATIENT);
    var caller = saga.start();

    saga.done(saga.expect(saga.source, Account.Reserve.class));
    saga.refuse(saga.expect(saga.destination, Account.Credit.class), Refusal.ACCOUNT_NOT_FOUND);
    var release = saga.expect(saga.source, Account.Release.class);
    assertEquals(saga.key, release.transferId());
    caller.expectNoMessage(Duration.ofMillis(100));
    saga.done(release);

    var outcome = caller.expectMessageClass(Outcome.class, EXPECT);
    assertEquals(Outcome.Kind.REJECTED, outcome.kind());
    assertEquals(Refusal.ACCOUNT_NOT_FOUND, outcome.transfer().reason());
    saga.source.expectNoMessage(Duration.ofMillis(200));
    saga.destination.expectNoMessage(Duration.ZERO);
    assertEquals(
        List.of(Transfer.TransferRequested.class, Transfer.TransferRejected.class),
        classes(saga.stored()));
  }

  @Test
  void transferToTheSameAccountIsRejectedAtOnce() {
    var saga = newSaga().spawn(PATIENT);
    var caller = saga.start(SOURCE, SOURCE, "fp-1", LONG_WAIT);

    var outcome = caller.expectMessageClass(Outcome.class, EXPECT);
    assertEquals(Outcome.Kind.REJECTED, outcome.kind());
    assertEquals(Refusal.SAME_ACCOUNT, outcome.transfer().reason());
    assertFalse(outcome.replayed());
    saga.source.expectNoMessage(Duration.ofMillis(200));
    assertEquals(
        List.of(Transfer.TransferRequested.class, Transfer.TransferRejected.class),
        classes(saga.stored()));
  }

  // ---- idempotency ----

  @Test
  void sameStartAfterTheEndReplaysTheSameOutcome() {
    var saga = newSaga().spawn(PATIENT);
    var first = saga.completeHappyPath(saga.start());

    var replay = saga.start().expectMessageClass(Outcome.class, EXPECT);

    assertEquals(new Outcome(Outcome.Kind.COMPLETED, first.transfer(), true), replay);
    saga.source.expectNoMessage(Duration.ofMillis(200));
    saga.destination.expectNoMessage(Duration.ZERO);
    assertEquals(3, saga.stored().size());
  }

  @Test
  void sameStartAfterARejectionReplaysTheRejection() {
    var saga = newSaga().spawn(PATIENT);
    var first = saga.start(SOURCE, SOURCE, "fp-1", LONG_WAIT).expectMessageClass(Outcome.class);

    var replay = saga.start(SOURCE, SOURCE, "fp-1", LONG_WAIT).expectMessageClass(Outcome.class);

    assertEquals(new Outcome(Outcome.Kind.REJECTED, first.transfer(), true), replay);
  }

  @Test
  void startWithAnotherFingerprintAnswersKeyReused() {
    var saga = newSaga().spawn(PATIENT);
    saga.completeHappyPath(saga.start());

    var reused =
        saga.start(SOURCE, DESTINATION, "fp-2", LONG_WAIT).expectMessageClass(Outcome.class);

    assertEquals(new Outcome(Outcome.Kind.KEY_REUSED, null, true), reused);
    assertEquals(TransferView.COMPLETED, saga.get().status());
  }

  @Test
  void startWithAnotherFingerprintWhilePendingAnswersKeyReusedAtOnce() {
    var saga = newSaga().spawn(PATIENT);
    var caller = saga.start();
    var reserve = saga.expect(saga.source, Account.Reserve.class);

    var reused =
        saga.start(SOURCE, DESTINATION, "fp-2", LONG_WAIT)
            .expectMessageClass(Outcome.class, EXPECT);

    assertEquals(Outcome.Kind.KEY_REUSED, reused.kind());
    saga.done(reserve);
    saga.done(saga.expect(saga.destination, Account.Credit.class));
    saga.done(saga.expect(saga.source, Account.Settle.class));
    assertEquals(Outcome.Kind.COMPLETED, caller.expectMessageClass(Outcome.class, EXPECT).kind());
  }

  @Test
  void duplicateStartWhilePendingSendsNoSecondReserveAndBothCallersGetTheOutcome() {
    var saga = newSaga().spawn(PATIENT);
    var first = saga.start();
    var reserve = saga.expect(saga.source, Account.Reserve.class);

    var second = saga.start();
    saga.done(reserve);
    saga.done(saga.expect(saga.destination, Account.Credit.class));
    // Had the duplicate sent a second Reserve, it would arrive here instead of the Settle.
    saga.done(saga.expect(saga.source, Account.Settle.class));

    var firstOutcome = first.expectMessageClass(Outcome.class, EXPECT);
    var secondOutcome = second.expectMessageClass(Outcome.class, EXPECT);
    assertEquals(Outcome.Kind.COMPLETED, firstOutcome.kind());
    assertFalse(firstOutcome.replayed());
    assertEquals(new Outcome(Outcome.Kind.COMPLETED, firstOutcome.transfer(), true), secondOutcome);
    saga.done(saga.expect(saga.destination, Account.Forget.class));
    saga.source.expectNoMessage(Duration.ofMillis(200));
    assertEquals(
        List.of(
            Transfer.TransferRequested.class,
            Transfer.DestinationCredited.class,
            Transfer.TransferCompleted.class),
        classes(saga.stored()));
  }

  // ---- timing ----

  @Test
  void stepWithoutAnAnswerIsRetriedAndTheSagaStillCompletes() {
    var saga = newSaga().spawn(IMPATIENT);
    var caller = saga.start();

    var unanswered = saga.expect(saga.source, Account.Reserve.class);
    var retried = saga.expect(saga.source, Account.Reserve.class);
    assertEquals(unanswered.transferId(), retried.transferId());
    assertEquals(unanswered.amount(), retried.amount());
    assertEquals(unanswered.currency(), retried.currency());
    saga.done(retried);
    saga.done(saga.expect(saga.destination, Account.Credit.class));
    saga.done(saga.expect(saga.source, Account.Settle.class));

    assertEquals(Outcome.Kind.COMPLETED, caller.expectMessageClass(Outcome.class, EXPECT).kind());
    saga.done(saga.expect(saga.destination, Account.Forget.class));
  }

  @Test
  void unexpectedRefusalOfSettleIsRetriedNotTreatedAsRejection() {
    var saga = newSaga().spawn(PATIENT);
    var caller = saga.start();
    saga.done(saga.expect(saga.source, Account.Reserve.class));
    saga.done(saga.expect(saga.destination, Account.Credit.class));

    saga.refuse(saga.expect(saga.source, Account.Settle.class), Refusal.ACCOUNT_NOT_FOUND);
    saga.done(saga.expect(saga.source, Account.Settle.class));

    assertEquals(Outcome.Kind.COMPLETED, caller.expectMessageClass(Outcome.class, EXPECT).kind());
  }

  @Test
  void callerWhoseWaitEndsGetsPendingAndTheSagaStillCompletes() {
    var saga = newSaga().spawn(PATIENT);
    var caller = saga.start(SOURCE, DESTINATION, "fp-1", Duration.ofMillis(200));
    var reserve = saga.expect(saga.source, Account.Reserve.class);

    var pending = caller.expectMessageClass(Outcome.class, EXPECT);
    assertEquals(Outcome.Kind.PENDING, pending.kind());
    assertEquals(TransferView.PENDING, pending.transfer().status());
    assertFalse(pending.replayed());

    saga.done(reserve);
    saga.done(saga.expect(saga.destination, Account.Credit.class));
    saga.done(saga.expect(saga.source, Account.Settle.class));
    saga.done(saga.expect(saga.destination, Account.Forget.class));

    caller.expectNoMessage(Duration.ofMillis(100));
    assertEquals(TransferView.COMPLETED, saga.get().status());
  }

  @Test
  void getAnswersNullForAnUnknownKeyAndTheViewWhilePending() {
    var saga = newSaga().spawn(PATIENT);
    assertNull(saga.get());

    saga.start();
    var reserve = saga.expect(saga.source, Account.Reserve.class);
    var pending = saga.get();
    assertEquals(TransferView.PENDING, pending.status());
    assertNull(pending.completedAt());
    saga.done(reserve);
  }
}
