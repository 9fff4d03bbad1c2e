package io.bulwark.domain.account;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonTypeName;
import io.bulwark.domain.EntityDispatcher;
import io.bulwark.domain.Ids;
import io.bulwark.domain.JsonSerializable;
import io.bulwark.domain.Slices;
import io.bulwark.domain.WebhookTags;
import io.bulwark.domain.telemetry.Trace;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * An account of one tenant in one currency. Single writer of its balance and reservations; what it
 * decides is {@link AccountRules}. In the cluster a {@link CommandBatcher} stands in front of it:
 * the commands that arrive while a write is in flight are decided together as one {@link Batch} and
 * written in one atomic write, so a hot account takes many commands per commit (ADR 0026).
 */
public final class Account
    extends EventSourcedBehaviorWithEnforcedReplies<Account.Command, Account.Event, Account.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY =
      EntityTypeKey.create(Command.class, "Account");

  // ---- protocol ----

  public sealed interface Command extends JsonSerializable {}

  public record Open(String currency, Long overdraftLimit, Instant at, ActorRef<OpenReply> replyTo)
      implements Command {}

  public record Get(ActorRef<GetReply> replyTo) implements Command {}

  public record Reserve(
      String transferId, long amount, String currency, ActorRef<StepReply> replyTo)
      implements Command {}

  public record Credit(
      String transferId,
      long amount,
      String currency,
      String counterparty,
      String reference,
      Instant at,
      ActorRef<StepReply> replyTo)
      implements Command {}

  public record Settle(
      String transferId,
      String counterparty,
      String reference,
      Instant at,
      ActorRef<StepReply> replyTo)
      implements Command {}

  public record Release(String transferId, ActorRef<StepReply> replyTo) implements Command {}

  public record Forget(String transferId, ActorRef<StepReply> replyTo) implements Command {}

  /**
   * Commands queued by the {@link CommandBatcher} while the last write was in flight, with the
   * trace context each arrived in; decided in order and written at once. Never leaves its node.
   */
  record Batch(List<Queued> commands) implements Command, NoSerializationVerificationNeeded {}

  record Queued(Command command, Trace trace) {}

  /** To the batcher: the batch's write is committed and its replies sent (or none was needed). */
  enum BatchWritten implements Command, NoSerializationVerificationNeeded {
    INSTANCE
  }

  /** To the batcher: recovered (at start, or after a failed write restarted the entity). */
  enum WriterReady implements Command, NoSerializationVerificationNeeded {
    INSTANCE
  }

  public sealed interface OpenReply extends JsonSerializable {}

  public record Opened(AccountView account) implements OpenReply {}

  public record AlreadyExists(AccountView account) implements OpenReply {}

  /** {@code account} is null when the account does not exist. */
  public record GetReply(AccountView account) implements JsonSerializable {}

  public sealed interface StepReply extends JsonSerializable {
    String transferId();
  }

  public record StepDone(String transferId) implements StepReply {}

  public record StepRefused(String transferId, String reason) implements StepReply {}

  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
  @JsonSubTypes({
    @JsonSubTypes.Type(AccountOpened.class),
    @JsonSubTypes.Type(FundsReserved.class),
    @JsonSubTypes.Type(ReservationReleased.class),
    @JsonSubTypes.Type(FundsDebited.class),
    @JsonSubTypes.Type(FundsCredited.class),
    @JsonSubTypes.Type(CreditForgotten.class)
  })
  public sealed interface Event {}

  @JsonTypeName("account-opened")
  /**
   * {@code requestId} and {@code traceId} name the call that opened it (null before they were
   * kept).
   */
  public record AccountOpened(
      String tenantId,
      String accountId,
      String currency,
      Long overdraftLimit,
      Instant at,
      String requestId,
      String traceId)
      implements Event {}

  @JsonTypeName("funds-reserved")
  public record FundsReserved(
      String tenantId,
      String accountId,
      String transferId,
      long amount,
      long reservedAfter,
      Instant at)
      implements Event {}

  @JsonTypeName("reservation-released")
  public record ReservationReleased(
      String tenantId,
      String accountId,
      String transferId,
      long amount,
      long reservedAfter,
      Instant at)
      implements Event {}

  /** A settled reservation: {@code amount} is positive, the ledger entry is {@code -amount}. */
  @JsonTypeName("funds-debited")
  public record FundsDebited(
      String tenantId,
      String accountId,
      String transferId,
      long amount,
      long balanceAfter,
      long reservedAfter,
      String currency,
      String counterparty,
      String reference,
      Instant at)
      implements Event {}

  @JsonTypeName("funds-credited")
  public record FundsCredited(
      String tenantId,
      String accountId,
      String transferId,
      long amount,
      long balanceAfter,
      String currency,
      String counterparty,
      String reference,
      Instant at)
      implements Event {}

  @JsonTypeName("credit-forgotten")
  public record CreditForgotten(String transferId) implements Event {}

  /** Immutable; every {@code with...} returns a new state. */
  public record State(
      String currency,
      Long overdraftLimit,
      long balance,
      long reserved,
      Map<String, Long> reservations,
      Set<String> credited,
      Instant createdAt)
      implements JsonSerializable {

    static State empty() {
      return new State(null, null, 0, 0, Map.of(), Set.of(), null);
    }

    boolean isOpen() {
      return currency != null;
    }

    State withReservation(String transferId, long amount) {
      var next = new HashMap<>(reservations);
      next.put(transferId, amount);
      return new State(
          currency,
          overdraftLimit,
          balance,
          Math.addExact(reserved, amount),
          Map.copyOf(next),
          credited,
          createdAt);
    }

    State withoutReservation(String transferId, long newBalance) {
      var next = new HashMap<>(reservations);
      long amount = next.remove(transferId);
      return new State(
          currency,
          overdraftLimit,
          newBalance,
          reserved - amount,
          Map.copyOf(next),
          credited,
          createdAt);
    }

    State withCredit(String transferId, long newBalance) {
      var next = new HashSet<>(credited);
      next.add(transferId);
      return new State(
          currency,
          overdraftLimit,
          newBalance,
          reserved,
          reservations,
          Set.copyOf(next),
          createdAt);
    }

    State withoutCredit(String transferId) {
      var next = new HashSet<>(credited);
      next.remove(transferId);
      return new State(
          currency, overdraftLimit, balance, reserved, reservations, Set.copyOf(next), createdAt);
    }

    AccountView view(String accountId) {
      return new AccountView(accountId, currency, balance, reserved, overdraftLimit, createdAt);
    }
  }

  // ---- frame ----

  public static void init(ActorSystem<?> system) {
    var settings = CommandBatcher.Settings.fromConfig(system.settings().config());
    EntityDispatcher.initSharded(
        system,
        ENTITY_KEY,
        (entityId, persistenceId) -> CommandBatcher.create(entityId, persistenceId, settings));
  }

  public static String entityId(String tenantId, String accountId) {
    return Ids.scoped(tenantId, accountId);
  }

  /** The account alone, deciding each command as it comes (tests drive it this way). */
  public static Behavior<Command> create(String entityId, PersistenceId persistenceId) {
    return new Account(entityId, persistenceId, null);
  }

  /** The account behind a batcher, which it tells when it is ready and when a write is done. */
  static Behavior<Command> behind(
      ActorRef<Command> front, String entityId, PersistenceId persistenceId) {
    return new Account(entityId, persistenceId, front);
  }

  private final String tenantId;
  private final Set<String> tags;
  private final AccountRules rules;
  private final ActorRef<Command> front;

  private Account(String entityId, PersistenceId persistenceId, ActorRef<Command> front) {
    super(
        persistenceId,
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
    this.tenantId = Ids.tenantOf(entityId);
    this.tags = Slices.tagsFor(persistenceId.id());
    this.rules = new AccountRules(tenantId, Ids.localOf(entityId));
    this.front = front;
  }

  @Override
  public State emptyState() {
    return State.empty();
  }

  @Override
  public Set<String> tagsFor(Event event) {
    if (event instanceof AccountOpened) {
      return WebhookTags.with(tags, tenantId);
    }
    return event instanceof CreditForgotten ? Set.of() : tags;
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(100, 2);
  }

  // ---- commands ----

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onAnyCommand(
            (state, command) ->
                command instanceof Batch batch
                    ? decideAll(state, batch.commands())
                    : decideAll(state, List.of(new Queued(command, Trace.NONE))));
  }

  /**
   * Decides the commands in order, each against the state the ones before it left, persists all
   * their events in one atomic write and replies to each only once that write is committed. A
   * failed write restarts the entity, which recovers from the journal and answers none of them:
   * nothing unacknowledged was promised, and the callers ask again.
   */
  private ReplyEffect<Event, State> decideAll(State state, List<Queued> commands) {
    State next = state;
    List<Event> events = new ArrayList<>();
    List<Runnable> replies = new ArrayList<>(commands.size());
    for (Queued queued : commands) {
      State before = next;
      var decision = queued.trace().get(() -> rules.decide(before, queued.command()));
      for (Event event : decision.events()) {
        next = AccountRules.apply(next, event);
        events.add(event);
      }
      replies.add(queued.trace().wrap(decision.reply().apply(next)));
    }
    // The batcher hears first, so whoever gets a reply finds the account ready for more.
    Runnable answer =
        () -> {
          if (front != null) {
            front.tell(BatchWritten.INSTANCE);
          }
          replies.forEach(Runnable::run);
        };
    var effect = events.isEmpty() ? Effect().none() : Effect().persist(events);
    return effect.thenRun(written -> answer.run()).thenNoReply();
  }

  // ---- events ----

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(AccountRules::apply);
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(
            RecoveryCompleted.instance(),
            state -> {
              if (front != null) {
                front.tell(WriterReady.INSTANCE);
              }
            })
        .build();
  }
}
