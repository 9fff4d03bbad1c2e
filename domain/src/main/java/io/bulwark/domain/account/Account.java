package io.bulwark.domain.account;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonTypeName;
import io.bulwark.domain.EntityDispatcher;
import io.bulwark.domain.Ids;
import io.bulwark.domain.JsonSerializable;
import io.bulwark.domain.Refusal;
import io.bulwark.domain.Slices;
import io.bulwark.domain.Times;
import io.bulwark.domain.WebhookTags;
import io.bulwark.domain.telemetry.Origin;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * An account of one tenant in one currency. Single writer of its balance and reservations. The
 * saga's steps carry the transfer id, so a repeated step changes nothing: the reservation map is
 * the source's memory of a transfer, and {@code credited} the destination's, kept until the saga
 * says {@link Forget}.
 */
public final class Account
    extends EventSourcedBehaviorWithEnforcedReplies<Account.Command, Account.Event, Account.State> {

  /** Money moved, at DEBUG: with the request's trace id when one reached the step. */
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Account.class);

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
    EntityDispatcher.initSharded(system, ENTITY_KEY, Account::create);
  }

  public static String entityId(String tenantId, String accountId) {
    return Ids.scoped(tenantId, accountId);
  }

  public static Behavior<Command> create(String entityId, PersistenceId persistenceId) {
    return new Account(entityId, persistenceId);
  }

  private final String tenantId;
  private final String accountId;
  private final Set<String> tags;

  private Account(String entityId, PersistenceId persistenceId) {
    super(
        persistenceId,
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
    this.tenantId = Ids.tenantOf(entityId);
    this.accountId = Ids.localOf(entityId);
    this.tags = Slices.tagsFor(persistenceId.id());
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
    var builder = newCommandHandlerWithReplyBuilder();
    builder
        .forState(s -> !s.isOpen())
        .onCommand(Open.class, this::onOpen)
        .onCommand(Get.class, (s, c) -> Effect().reply(c.replyTo(), new GetReply(null)))
        .onCommand(Reserve.class, (s, c) -> refuse(c.replyTo(), c.transferId()))
        .onCommand(Credit.class, (s, c) -> refuse(c.replyTo(), c.transferId()))
        .onCommand(Settle.class, (s, c) -> refuse(c.replyTo(), c.transferId()))
        .onCommand(Release.class, (s, c) -> done(c.replyTo(), c.transferId()))
        .onCommand(Forget.class, (s, c) -> done(c.replyTo(), c.transferId()));
    builder
        .forState(State::isOpen)
        .onCommand(
            Open.class, (s, c) -> Effect().reply(c.replyTo(), new AlreadyExists(s.view(accountId))))
        .onCommand(
            Get.class, (s, c) -> Effect().reply(c.replyTo(), new GetReply(s.view(accountId))))
        .onCommand(Reserve.class, this::onReserve)
        .onCommand(Credit.class, this::onCredit)
        .onCommand(Settle.class, this::onSettle)
        .onCommand(Release.class, this::onRelease)
        .onCommand(Forget.class, this::onForget);
    return builder.build();
  }

  private ReplyEffect<Event, State> onOpen(State state, Open cmd) {
    var origin = Origin.current();
    var event =
        new AccountOpened(
            tenantId,
            accountId,
            cmd.currency(),
            cmd.overdraftLimit(),
            cmd.at(),
            origin.requestId(),
            origin.traceId());
    return Effect().persist(event).thenReply(cmd.replyTo(), s -> new Opened(s.view(accountId)));
  }

  private ReplyEffect<Event, State> onReserve(State state, Reserve cmd) {
    if (state.reservations().containsKey(cmd.transferId())) {
      return done(cmd.replyTo(), cmd.transferId());
    }
    if (!state.currency().equals(cmd.currency())) {
      return refuse(cmd.replyTo(), cmd.transferId(), Refusal.CURRENCY_MISMATCH);
    }
    long reservedAfter;
    long availableAfter;
    try {
      reservedAfter = Math.addExact(state.reserved(), cmd.amount());
      availableAfter = Math.subtractExact(state.balance(), reservedAfter);
    } catch (ArithmeticException overflow) {
      return refuse(cmd.replyTo(), cmd.transferId(), Refusal.AMOUNT_OUT_OF_RANGE);
    }
    if (state.overdraftLimit() != null && availableAfter < -state.overdraftLimit()) {
      return refuse(cmd.replyTo(), cmd.transferId(), Refusal.INSUFFICIENT_FUNDS);
    }
    var event =
        new FundsReserved(
            tenantId, accountId, cmd.transferId(), cmd.amount(), reservedAfter, Times.now());
    return Effect().persist(event).thenReply(cmd.replyTo(), s -> new StepDone(cmd.transferId()));
  }

  private ReplyEffect<Event, State> onCredit(State state, Credit cmd) {
    if (state.credited().contains(cmd.transferId())) {
      return done(cmd.replyTo(), cmd.transferId());
    }
    if (!state.currency().equals(cmd.currency())) {
      return refuse(cmd.replyTo(), cmd.transferId(), Refusal.CURRENCY_MISMATCH);
    }
    long balanceAfter;
    try {
      balanceAfter = Math.addExact(state.balance(), cmd.amount());
    } catch (ArithmeticException overflow) {
      return refuse(cmd.replyTo(), cmd.transferId(), Refusal.AMOUNT_OUT_OF_RANGE);
    }
    var event =
        new FundsCredited(
            tenantId,
            accountId,
            cmd.transferId(),
            cmd.amount(),
            balanceAfter,
            state.currency(),
            cmd.counterparty(),
            cmd.reference(),
            cmd.at());
    log.debug(
        "Account {} {} for transfer {}",
        accountId,
        event.getClass().getSimpleName(),
        cmd.transferId());
    return Effect().persist(event).thenReply(cmd.replyTo(), s -> new StepDone(cmd.transferId()));
  }

  /**
   * Settle and Release for an unknown transfer are no-ops: the saga sends them only after a
   * successful reservation, so an unknown id means the step was already applied.
   */
  private ReplyEffect<Event, State> onSettle(State state, Settle cmd) {
    Long amount = state.reservations().get(cmd.transferId());
    if (amount == null) {
      return done(cmd.replyTo(), cmd.transferId());
    }
    // Cannot overflow: the reservation check proved balance - reserved representable.
    long balanceAfter = state.balance() - amount;
    var event =
        new FundsDebited(
            tenantId,
            accountId,
            cmd.transferId(),
            amount,
            balanceAfter,
            state.reserved() - amount,
            state.currency(),
            cmd.counterparty(),
            cmd.reference(),
            cmd.at());
    log.debug(
        "Account {} {} for transfer {}",
        accountId,
        event.getClass().getSimpleName(),
        cmd.transferId());
    return Effect().persist(event).thenReply(cmd.replyTo(), s -> new StepDone(cmd.transferId()));
  }

  private ReplyEffect<Event, State> onRelease(State state, Release cmd) {
    Long amount = state.reservations().get(cmd.transferId());
    if (amount == null) {
      return done(cmd.replyTo(), cmd.transferId());
    }
    var event =
        new ReservationReleased(
            tenantId, accountId, cmd.transferId(), amount, state.reserved() - amount, Times.now());
    return Effect().persist(event).thenReply(cmd.replyTo(), s -> new StepDone(cmd.transferId()));
  }

  private ReplyEffect<Event, State> onForget(State state, Forget cmd) {
    if (!state.credited().contains(cmd.transferId())) {
      return done(cmd.replyTo(), cmd.transferId());
    }
    return Effect()
        .persist(new CreditForgotten(cmd.transferId()))
        .thenReply(cmd.replyTo(), s -> new StepDone(cmd.transferId()));
  }

  private ReplyEffect<Event, State> done(ActorRef<StepReply> replyTo, String transferId) {
    return Effect().reply(replyTo, new StepDone(transferId));
  }

  private ReplyEffect<Event, State> refuse(ActorRef<StepReply> replyTo, String transferId) {
    return refuse(replyTo, transferId, Refusal.ACCOUNT_NOT_FOUND);
  }

  private ReplyEffect<Event, State> refuse(
      ActorRef<StepReply> replyTo, String transferId, String reason) {
    return Effect().reply(replyTo, new StepRefused(transferId, reason));
  }

  // ---- events ----

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(
            AccountOpened.class,
            (s, e) -> new State(e.currency(), e.overdraftLimit(), 0, 0, Map.of(), Set.of(), e.at()))
        .onEvent(FundsReserved.class, (s, e) -> s.withReservation(e.transferId(), e.amount()))
        .onEvent(
            ReservationReleased.class, (s, e) -> s.withoutReservation(e.transferId(), s.balance()))
        .onEvent(
            FundsDebited.class, (s, e) -> s.withoutReservation(e.transferId(), e.balanceAfter()))
        .onEvent(FundsCredited.class, (s, e) -> s.withCredit(e.transferId(), e.balanceAfter()))
        .onEvent(CreditForgotten.class, (s, e) -> s.withoutCredit(e.transferId()))
        .build();
  }
}
