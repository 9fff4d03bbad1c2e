package io.bulwark.domain.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.bulwark.domain.account.Account;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.typed.PersistenceId;

/**
 * One saga under test, with its own idempotency key and its own two fake accounts: each account is
 * a probe that answers the saga's asks by hand, so a test decides when (and whether) a step is
 * answered. The key holds '|' and '%' so every saga also proves the entity id escaping.
 */
final class Saga {
  static final String TENANT = "acme";
  static final String SOURCE = "src";
  static final String DESTINATION = "dst";
  static final Duration LONG_WAIT = Duration.ofSeconds(10);
  static final Duration EXPECT = Duration.ofSeconds(5);

  /** No step should time out unless the test means it to. */
  static final TransferSettings PATIENT =
      new TransferSettings(
          Duration.ofSeconds(3),
          Duration.ofMillis(10),
          Duration.ofMillis(50),
          Duration.ofHours(1),
          Duration.ofHours(1));

  static final TransferSettings IMPATIENT =
      new TransferSettings(
          Duration.ofMillis(300),
          Duration.ofMillis(10),
          Duration.ofMillis(50),
          Duration.ofHours(1),
          Duration.ofHours(1));

  private final ActorTestKit testKit;
  private final PersistenceTestKit persistence;

  final String key = "key|" + UUID.randomUUID() + "%";
  final String entityId = Transfer.entityId(TENANT, key);
  final PersistenceId persistenceId = PersistenceId.of(Transfer.ENTITY_KEY.name(), entityId);
  final TestProbe<Account.Command> source;
  final TestProbe<Account.Command> destination;
  ActorRef<Transfer.Command> ref;

  Saga(ActorTestKit testKit, PersistenceTestKit persistence) {
    this.testKit = testKit;
    this.persistence = persistence;
    source = testKit.createTestProbe(Account.Command.class);
    destination = testKit.createTestProbe(Account.Command.class);
  }

  private RecipientRef<Account.Command> account(String tenantId, String accountId) {
    if (!TENANT.equals(tenantId)) {
      throw new IllegalArgumentException("saga asked for tenant " + tenantId);
    }
    return switch (accountId) {
      case SOURCE -> source.ref();
      case DESTINATION -> destination.ref();
      default -> throw new IllegalArgumentException("saga asked for account " + accountId);
    };
  }

  Saga spawn(TransferSettings settings) {
    ref = testKit.spawn(Transfer.create(entityId, persistenceId, this::account, settings, null));
    return this;
  }

  void stop() {
    testKit.stop(ref, EXPECT);
  }

  TestProbe<Outcome> start(String from, String to, String fingerprint, Duration maxWait) {
    TestProbe<Outcome> caller = testKit.createTestProbe(Outcome.class);
    ref.tell(
        new Transfer.Start(from, to, 100, "EUR", "invoice 7", fingerprint, maxWait, caller.ref()));
    return caller;
  }

  TestProbe<Outcome> start() {
    return start(SOURCE, DESTINATION, "fp-1", LONG_WAIT);
  }

  TransferView get() {
    TestProbe<Transfer.GetReply> probe = testKit.createTestProbe(Transfer.GetReply.class);
    ref.tell(new Transfer.Get(probe.ref()));
    return probe.expectMessageClass(Transfer.GetReply.class, EXPECT).transfer();
  }

  <T extends Account.Command> T expect(TestProbe<Account.Command> account, Class<T> step) {
    return account.expectMessageClass(step, EXPECT);
  }

  /** The account applied the step, or already had. */
  void done(Account.Command step) {
    replyTo(step).tell(new Account.StepDone(key));
  }

  void refuse(Account.Command step, String reason) {
    replyTo(step).tell(new Account.StepRefused(key, reason));
  }

  List<Object> stored() {
    return persistence.persistedInStorage(persistenceId.id());
  }

  Transfer.TransferRequested requested(Instant at) {
    return new Transfer.TransferRequested(
        TENANT, key, SOURCE, DESTINATION, 100, "EUR", "invoice 7", "fp-1", at, null, null);
  }

  /** Every step from Reserve on answered at once; the transfer ends completed. */
  void completeFromReserve() {
    done(expect(source, Account.Reserve.class));
    done(expect(destination, Account.Credit.class));
    done(expect(source, Account.Settle.class));
    done(expect(destination, Account.Forget.class));
    assertEquals(TransferView.COMPLETED, get().status());
  }

  /** Reserve, credit and settle answered at once; the first caller's outcome. */
  Outcome completeHappyPath(TestProbe<Outcome> caller) {
    done(expect(source, Account.Reserve.class));
    done(expect(destination, Account.Credit.class));
    done(expect(source, Account.Settle.class));
    var outcome = caller.expectMessageClass(Outcome.class, EXPECT);
    assertEquals(Outcome.Kind.COMPLETED, outcome.kind());
    done(expect(destination, Account.Forget.class));
    return outcome;
  }

  static ActorRef<Account.StepReply> replyTo(Account.Command step) {
    if (step instanceof Account.Reserve c) return c.replyTo();
    if (step instanceof Account.Credit c) return c.replyTo();
    if (step instanceof Account.Settle c) return c.replyTo();
    if (step instanceof Account.Release c) return c.replyTo();
    if (step instanceof Account.Forget c) return c.replyTo();
    throw new IllegalArgumentException("not a saga step: " + step);
  }

  static List<Class<?>> classes(List<Object> events) {
    return events.stream().<Class<?>>map(Object::getClass).toList();
  }
}
