package io.bulwark.domain.account;

import static io.bulwark.domain.account.AccountFixture.AT;
import static io.bulwark.domain.account.AccountFixture.EUR;
import static io.bulwark.domain.account.AccountFixture.TENANT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.domain.DomainTestConfig;
import io.bulwark.domain.Refusal;
import io.bulwark.domain.telemetry.Trace;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.JournalOperation;
import org.apache.pekko.persistence.testkit.ProcessingResult;
import org.apache.pekko.persistence.testkit.ProcessingSuccess$;
import org.apache.pekko.persistence.testkit.StorageFailure;
import org.apache.pekko.persistence.testkit.WriteEvents;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The account behind its {@link CommandBatcher}: commands that arrive while a write is in flight
 * are decided together, exactly, and written at once; a reply means the events are committed. The
 * journal here is the persistence testkit's, whose policy sees every write: it holds the first
 * write of a test until all commands are queued, so the batches are known in advance, and it can
 * fail one write as a database would.
 */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccountBatchTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final CommandBatcher.Settings SETTINGS =
      new CommandBatcher.Settings(256, Duration.ofSeconds(30), 10_000);

  @JUnit5TestKit
  ActorTestKit testKit =
      new JUnit5TestKitBuilder().withCustomConfig(DomainTestConfig.config()).build();

  private String accountId;
  private String entityId;
  private PersistenceId persistenceId;

  @BeforeEach
  void anAccountOfItsOwn() {
    accountId = "hot-" + UUID.randomUUID();
    entityId = Account.entityId(TENANT, accountId);
    persistenceId = PersistenceId.of(Account.ENTITY_KEY.name(), entityId);
  }

  @AfterEach
  void normalJournal() {
    PersistenceTestKit.create(testKit.system()).resetPolicy();
  }

  @Test
  void aHotAccountDecidesAThousandConcurrentReservationsExactlyInThreeWrites() {
    var account = fundedAccount(500);
    var journal = new Journal().holdFirstWrite();
    var replies = testKit.createTestProbe(Account.StepReply.class);

    reserveEach(account, range(0, 1_000), replies.ref());
    journal.release();
    var answers = receive(replies, 1_000);

    assertEquals(
        range(0, 500), idsOf(answers, Account.StepDone.class), "the first 500 in arrival order");
    assertEquals(range(500, 1_000), idsOf(answers, Account.StepRefused.class));
    assertTrue(
        answers.stream()
            .filter(a -> a instanceof Account.StepRefused)
            .allMatch(a -> ((Account.StepRefused) a).reason().equals(Refusal.INSUFFICIENT_FUNDS)));
    // One reservation alone, then batches of 256: 256 reserved, then 243 reserved and 13 refused;
    // the two batches after that refuse everything and write nothing.
    assertEquals(List.of(1, 256, 243), journal.writeSizes());
    assertEquals(new AccountView(accountId, EUR, 500, 500, 0L, AT), view(account));

    testKit.stop(account, WAIT);
    assertEquals(
        new AccountView(accountId, EUR, 500, 500, 0L, AT),
        view(testKit.spawn(CommandBatcher.create(entityId, persistenceId, SETTINGS))),
        "recovered from the batched writes");
  }

  @Test
  void aFailedWriteAnswersNoneOfItsCommandsAndLosesNoAcknowledgedOne() {
    var account = fundedAccount(1_000);
    var journal = new Journal().holdFirstWrite().failWrite(2);
    var replies = testKit.createTestProbe(Account.StepReply.class);

    reserveEach(account, range(0, 600), replies.ref());
    journal.release();
    // Write 1 holds t-0; write 2 (t-1..t-256) fails and the account restarts from the journal;
    // then t-257..t-599 are decided in two writes.
    var answers = receive(replies, 1 + 343);
    replies.expectNoMessage(Duration.ofMillis(500));

    var acknowledged = idsOf(answers, Account.StepDone.class);
    var committed = reservedInJournal();
    assertEquals(committed, acknowledged, "acknowledged = committed, nothing else");
    var unanswered = new TreeSet<>(range(0, 600));
    unanswered.removeAll(acknowledged);
    assertEquals(range(1, 257), unanswered, "exactly the failed write's commands");

    // Their callers ask again, as a saga's step does after its timeout.
    reserveEach(account, unanswered, replies.ref());
    assertEquals(unanswered, idsOf(receive(replies, 256), Account.StepDone.class));
    assertEquals(range(0, 600), reservedInJournal(), "each reserved once");
    assertEquals(new AccountView(accountId, EUR, 1_000, 600, 0L, AT), view(account));
  }

  @Test
  void aBatchIsOneAtomicWriteThatRecoveryReplays() {
    var kit =
        EventSourcedBehaviorTestKit.<Account.Command, Account.Event, Account.State>create(
            testKit.system(),
            Account.create(entityId, persistenceId),
            DomainTestConfig.verifiedSerialization().withVerifyCommands(false));
    var opened = testKit.createTestProbe(Account.OpenReply.class);
    var steps = testKit.createTestProbe(Account.StepReply.class);
    var batch =
        new Account.Batch(
            List.of(
                queued(new Account.Open(EUR, 0L, AT, opened.ref())),
                queued(new Account.Credit("in", 100, EUR, "cash", "r", AT, steps.ref())),
                queued(new Account.Reserve("t1", 60, EUR, steps.ref())),
                queued(new Account.Reserve("t2", 60, EUR, steps.ref())),
                queued(new Account.Reserve("t1", 60, EUR, steps.ref()))));

    var result = kit.runCommand(batch);

    assertEquals(3, result.events().size(), "opened, credited, t1 reserved: t2 and t1 again not");
    assertInstanceOf(Account.Opened.class, opened.receiveMessage());
    assertEquals(new Account.StepDone("in"), steps.receiveMessage());
    assertEquals(new Account.StepDone("t1"), steps.receiveMessage());
    assertEquals(new Account.StepRefused("t2", Refusal.INSUFFICIENT_FUNDS), steps.receiveMessage());
    assertEquals(new Account.StepDone("t1"), steps.receiveMessage(), "t1 again: already reserved");
    var before = kit.getState();
    assertEquals(before, kit.restart().state());
    assertEquals(60, before.reserved());
  }

  // ---- helpers ----

  /** Counts and sizes the writes of this test's account, and can hold or fail one. */
  private final class Journal {
    private final List<Integer> sizes = new CopyOnWriteArrayList<>();
    private final CountDownLatch held = new CountDownLatch(1);
    private boolean hold;
    private int failAt;

    Journal() {
      PersistenceTestKit.create(testKit.system()).withPolicy(this::write);
    }

    Journal holdFirstWrite() {
      hold = true;
      return this;
    }

    Journal failWrite(int nth) {
      failAt = nth;
      return this;
    }

    void release() {
      held.countDown();
    }

    List<Integer> writeSizes() {
      return List.copyOf(sizes);
    }

    private ProcessingResult write(String pid, JournalOperation operation) {
      if (pid.equals(persistenceId.id()) && operation instanceof WriteEvents write) {
        int nth = sizes.size() + 1;
        if (nth == 1 && hold) {
          try {
            held.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        sizes.add(write.getBatch().size());
        if (nth == failAt) {
          return StorageFailure.create(new IllegalStateException("the database went away"));
        }
      }
      return ProcessingSuccess$.MODULE$;
    }
  }

  private ActorRef<Account.Command> fundedAccount(long amount) {
    var account = testKit.spawn(CommandBatcher.create(entityId, persistenceId, SETTINGS));
    var opened = testKit.createTestProbe(Account.OpenReply.class);
    account.tell(new Account.Open(EUR, 0L, AT, opened.ref()));
    opened.expectMessageClass(Account.Opened.class, WAIT);
    var step = testKit.createTestProbe(Account.StepReply.class);
    account.tell(new Account.Credit("funding", amount, EUR, "cash", "funding", AT, step.ref()));
    step.expectMessage(WAIT, new Account.StepDone("funding"));
    return account;
  }

  private static void reserveEach(
      ActorRef<Account.Command> account, Set<String> ids, ActorRef<Account.StepReply> replyTo) {
    ids.forEach(id -> account.tell(new Account.Reserve(id, 1, EUR, replyTo)));
  }

  private static List<Account.StepReply> receive(TestProbe<Account.StepReply> probe, int count) {
    List<Account.StepReply> answers = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      answers.add(probe.receiveMessage(WAIT));
    }
    return answers;
  }

  private AccountView view(ActorRef<Account.Command> account) {
    var probe = testKit.createTestProbe(Account.GetReply.class);
    account.tell(new Account.Get(probe.ref()));
    return probe.receiveMessage(WAIT).account();
  }

  private Set<String> reservedInJournal() {
    return PersistenceTestKit.create(testKit.system())
        .persistedInStorage(persistenceId.id())
        .stream()
        .filter(e -> e instanceof Account.FundsReserved)
        .map(e -> ((Account.FundsReserved) e).transferId())
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static Set<String> idsOf(
      List<Account.StepReply> answers, Class<? extends Account.StepReply> kind) {
    return answers.stream()
        .filter(kind::isInstance)
        .map(Account.StepReply::transferId)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  /** t-from .. t-(to-1): zero-padded, so the set's order is the numbers' and the order sent. */
  private static Set<String> range(int from, int to) {
    return IntStream.range(from, to)
        .mapToObj(i -> String.format("t-%04d", i))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static Account.Queued queued(Account.Command command) {
    return new Account.Queued(command, Trace.NONE);
  }
}
