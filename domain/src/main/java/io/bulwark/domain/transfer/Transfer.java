package io.bulwark.domain.transfer;

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
import io.bulwark.domain.account.Account;
import io.bulwark.domain.placement.TenantPlacement;
import io.bulwark.domain.telemetry.Origin;
import io.bulwark.domain.transfer.TransferState.Phase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.SnapshotSelectionCriteria;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * A transfer saga, keyed by (tenant, Idempotency-Key), so the saga is its own idempotency record.
 * It reserves on the source, credits the destination, settles the source (ADR 0002). Only the
 * phases a recovery must not repeat are persisted; every step is idempotent at the account.
 */
public final class Transfer
    extends EventSourcedBehaviorWithEnforcedReplies<
        Transfer.Command, Transfer.Event, TransferState> {

  public static final EntityTypeKey<Command> ENTITY_KEY =
      EntityTypeKey.create(Command.class, "Transfer");

  /** Resolves the account entities a saga talks to; sharding in production, probes in tests. */
  @FunctionalInterface
  public interface AccountRefs {
    RecipientRef<Account.Command> account(String tenantId, String accountId);
  }

  // ---- protocol ----

  public sealed interface Command extends JsonSerializable {}

  public record Start(
      String from,
      String to,
      long amount,
      String currency,
      String reference,
      String fingerprint,
      Duration maxWait,
      ActorRef<Outcome> replyTo)
      implements Command {}

  public record Get(ActorRef<GetReply> replyTo) implements Command {}

  /** {@code transfer} is null when no transfer has this key. */
  public record GetReply(TransferView transfer) implements JsonSerializable {}

  /**
   * Starts the saga if it is not running, so a pending one resumes from its journal; a running saga
   * ignores it. Sent by the pending-transfers sweeper (ADR 0014).
   */
  public record Wake() implements Command {}

  record StepResult(Step step, Account.StepReply reply, String failure) implements Command {}

  record RetryStep(Step step) implements Command {}

  record WaitExpired(long waiterId) implements Command {}

  record Idle() implements Command {}

  /** Sent by the shard when the entity moves to another node (rebalance, a node leaving). */
  record HandOff() implements Command {}

  enum Step {
    RESERVE,
    CREDIT,
    SETTLE,
    RELEASE,
    FORGET
  }

  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
  @JsonSubTypes({
    @JsonSubTypes.Type(TransferRequested.class),
    @JsonSubTypes.Type(DestinationCredited.class),
    @JsonSubTypes.Type(TransferCompleted.class),
    @JsonSubTypes.Type(TransferRejected.class)
  })
  public sealed interface Event {}

  @JsonTypeName("transfer-requested")
  public record TransferRequested(
      String tenantId,
      String transferId,
      String from,
      String to,
      long amount,
      String currency,
      String reference,
      String fingerprint,
      Instant at,
      String requestId,
      String traceId)
      implements Event {}

  @JsonTypeName("destination-credited")
  public record DestinationCredited(String transferId, Instant at) implements Event {}

  @JsonTypeName("transfer-completed")
  public record TransferCompleted(
      String tenantId,
      String transferId,
      String from,
      String to,
      long amount,
      String currency,
      Instant at,
      String requestId,
      String traceId)
      implements Event {}

  /**
   * {@code from}, {@code to}, {@code amount}, {@code currency}, {@code requestId} and {@code
   * traceId} are null in events written before webhooks carried them.
   */
  @JsonTypeName("transfer-rejected")
  public record TransferRejected(
      String tenantId,
      String transferId,
      String reason,
      Instant at,
      String from,
      String to,
      Long amount,
      String currency,
      String requestId,
      String traceId)
      implements Event {
    static TransferRejected of(String tenantId, TransferState state, String reason, Instant at) {
      var t = state.transfer();
      return new TransferRejected(
          tenantId,
          t.id(),
          reason,
          at,
          t.from(),
          t.to(),
          t.amount(),
          t.currency(),
          state.requestId(),
          state.traceId());
    }
  }

  // ---- frame ----

  public static void init(ActorSystem<?> system) {
    var sharding = ClusterSharding.get(system);
    AccountRefs accounts =
        (tenantId, accountId) ->
            sharding.entityRefFor(Account.ENTITY_KEY, Account.entityId(tenantId, accountId));
    var settings = TransferSettings.fromConfig(system.settings().config());
    // A pending saga that nothing runs (its node crashed or left, or it was passivated) is woken
    // by the pending-transfers sweeper with Wake (ADR 0014); a finished saga passivates itself.
    sharding.init(
        TenantPlacement.place(
            system,
            Entity.of(
                    ENTITY_KEY,
                    ctx ->
                        create(
                            ctx.getEntityId(),
                            persistenceIdOf(ctx.getEntityId()),
                            accounts,
                            settings,
                            ctx.getShard()))
                .withStopMessage(new HandOff())
                .withEntityProps(EntityDispatcher.props())));
  }

  public static String entityId(String tenantId, String idempotencyKey) {
    return Ids.scoped(tenantId, idempotencyKey);
  }

  public static PersistenceId persistenceId(String tenantId, String idempotencyKey) {
    return persistenceIdOf(entityId(tenantId, idempotencyKey));
  }

  private static PersistenceId persistenceIdOf(String entityId) {
    return PersistenceId.of(ENTITY_KEY.name(), entityId);
  }

  public static Behavior<Command> create(
      String entityId,
      PersistenceId persistenceId,
      AccountRefs accounts,
      TransferSettings settings,
      ActorRef<ClusterSharding.ShardCommand> shard) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers ->
                    new Transfer(ctx, timers, entityId, persistenceId, accounts, settings, shard)));
  }

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final String tenantId;
  private final String transferId;
  private final TransferSettings settings;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final Set<String> tags;

  // Transient: the step in flight, the refusal a release is for, and who awaits the outcome.
  private final SagaSteps steps;
  private final SagaTelemetry telemetry;
  private String releaseReason;
  private final Waiters waiters;

  /** Recovered already finished: woken only to answer (a replay, a poll), so it leaves sooner. */
  private boolean wokenFinished;

  private Transfer(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      String entityId,
      PersistenceId persistenceId,
      AccountRefs accounts,
      TransferSettings settings,
      ActorRef<ClusterSharding.ShardCommand> shard) {
    super(
        persistenceId,
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
    this.context = context;
    this.timers = timers;
    this.tenantId = Ids.tenantOf(entityId);
    this.transferId = Ids.localOf(entityId);
    this.settings = settings;
    this.shard = shard;
    this.tags = Slices.tagsFor(persistenceId.id());
    this.telemetry = new SagaTelemetry(context.getLog(), transferId);
    this.steps =
        new SagaSteps(context, timers, accounts, settings, tenantId, transferId, telemetry);
    this.waiters = new Waiters(timers);
  }

  @Override
  public TransferState emptyState() {
    return TransferState.empty();
  }

  @Override
  public Set<String> tagsFor(Event event) {
    if (event instanceof TransferCompleted || event instanceof TransferRejected) {
      return WebhookTags.with(tags, tenantId);
    }
    return event instanceof DestinationCredited ? Set.of() : tags;
  }

  /**
   * A saga writes a handful of events and never snapshots, so its recovery skips the snapshot
   * store: one query less for every transfer started.
   */
  @Override
  public SnapshotSelectionCriteria snapshotSelectionCriteria() {
    return SnapshotSelectionCriteria.none();
  }

  @Override
  public SignalHandler<TransferState> signalHandler() {
    return newSignalHandlerBuilder().onSignal(RecoveryCompleted.instance(), this::resume).build();
  }

  // ---- commands ----

  @Override
  public CommandHandlerWithReply<Command, Event, TransferState> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Start.class, this::onStart)
        .onCommand(Get.class, this::onGet)
        .onCommand(StepResult.class, this::onStepResult)
        .onCommand(RetryStep.class, this::onRetry)
        .onCommand(WaitExpired.class, this::onWaitExpired)
        .onCommand(Wake.class, (state, wake) -> Effect().noReply())
        .onCommand(Idle.class, this::onIdle)
        .onCommand(HandOff.class, this::onHandOff)
        .build();
  }

  private ReplyEffect<Event, TransferState> onStart(TransferState state, Start cmd) {
    telemetry.requested();
    if (state.phase() == Phase.NEW) {
      var now = Times.now();
      var origin = Origin.current();
      var requested =
          new TransferRequested(
              tenantId,
              transferId,
              cmd.from(),
              cmd.to(),
              cmd.amount(),
              cmd.currency(),
              cmd.reference(),
              cmd.fingerprint(),
              now,
              origin.requestId(),
              origin.traceId());
      if (cmd.from().equals(cmd.to())) {
        var rejected =
            TransferRejected.of(tenantId, state.apply(requested), Refusal.SAME_ACCOUNT, now);
        return Effect()
            .persist(List.of(requested, rejected))
            .thenRun(
                s -> {
                  telemetry.rejected(Refusal.SAME_ACCOUNT, cmd.currency());
                  scheduleIdle(s);
                })
            .thenReply(cmd.replyTo(), s -> outcome(s, false));
      }
      var written = telemetry.persisting();
      return Effect()
          .persist(requested)
          .thenRun(
              s -> {
                written.run();
                waiters.add(cmd.replyTo(), false, cmd.maxWait());
                steps.send(Step.RESERVE, s.transfer());
              })
          .thenNoReply();
    }
    if (!state.fingerprint().equals(cmd.fingerprint())) {
      return Effect().reply(cmd.replyTo(), new Outcome(Outcome.Kind.KEY_REUSED, null, true));
    }
    if (state.phase().isFinal()) {
      scheduleIdle(state);
      return Effect().reply(cmd.replyTo(), outcome(state, true));
    }
    waiters.add(cmd.replyTo(), true, cmd.maxWait());
    return Effect().noReply();
  }

  private ReplyEffect<Event, TransferState> onGet(TransferState state, Get cmd) {
    if (!state.phase().isPending()) {
      scheduleIdle(state);
    }
    return Effect().reply(cmd.replyTo(), new GetReply(state.transfer()));
  }

  private ReplyEffect<Event, TransferState> onStepResult(TransferState state, StepResult result) {
    if (!steps.isCurrent(result.step())) {
      return Effect().noReply(); // a late answer to a step already passed
    }
    if (result.failure() != null || isUnexpectedRefusal(result)) {
      if (result.failure() == null) {
        telemetry.error(
            "Transfer {} step {} refused: {}", transferId, result.step(), result.reply());
      }
      steps.retryLater(result.step());
      return Effect().noReply();
    }
    steps.succeeded();
    var reply = result.reply();
    var now = Times.now();
    switch (result.step()) {
      case RESERVE:
        if (reply instanceof Account.StepRefused refused) {
          return reject(state, refused.reason(), now);
        }
        steps.send(Step.CREDIT, state.transfer());
        return Effect().noReply();
      case CREDIT:
        if (reply instanceof Account.StepRefused refused) {
          releaseReason = refused.reason();
          steps.send(Step.RELEASE, state.transfer());
          return Effect().noReply();
        }
        return Effect()
            .persist(new DestinationCredited(transferId, now))
            .thenRun(s -> steps.send(Step.SETTLE, s.transfer()))
            .thenNoReply();
      case RELEASE:
        return reject(state, releaseReason, now);
      case SETTLE:
        var t = state.transfer();
        return Effect()
            .persist(
                new TransferCompleted(
                    tenantId,
                    transferId,
                    t.from(),
                    t.to(),
                    t.amount(),
                    t.currency(),
                    now,
                    state.requestId(),
                    state.traceId()))
            .thenRun(
                s -> {
                  telemetry.completed(s.transfer());
                  waiters.answerAll(replayed -> outcome(s, replayed));
                  steps.send(Step.FORGET, s.transfer());
                })
            .thenNoReply();
      case FORGET:
      default:
        steps.finished();
        scheduleIdle(state);
        return Effect().noReply();
    }
  }

  private boolean isUnexpectedRefusal(StepResult result) {
    return result.reply() instanceof Account.StepRefused
        && result.step() != Step.RESERVE
        && result.step() != Step.CREDIT;
  }

  private ReplyEffect<Event, TransferState> reject(TransferState state, String reason, Instant at) {
    return Effect()
        .persist(TransferRejected.of(tenantId, state, reason, at))
        .thenRun(
            s -> {
              telemetry.rejected(reason, s.transfer().currency());
              steps.finished();
              waiters.answerAll(replayed -> outcome(s, replayed));
              scheduleIdle(s);
            })
        .thenNoReply();
  }

  private ReplyEffect<Event, TransferState> onRetry(TransferState state, RetryStep retry) {
    if (steps.isCurrent(retry.step())) {
      steps.send(retry.step(), state.transfer());
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, TransferState> onWaitExpired(
      TransferState state, WaitExpired expired) {
    waiters.expire(expired.waiterId(), replayed -> outcome(state, replayed));
    return Effect().noReply();
  }

  private ReplyEffect<Event, TransferState> onIdle(TransferState state, Idle idle) {
    if (!state.phase().isPending() && steps.isIdle() && waiters.isEmpty() && shard != null) {
      shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
    }
    return Effect().noReply();
  }

  /**
   * Moving to another node: waiting clients are told "pending" (202 with a Location to poll) rather
   * than left to time out; a pending saga resumes on its new node from its persisted phase when the
   * next message or the pending-transfers sweeper wakes it (ADR 0014).
   */
  private ReplyEffect<Event, TransferState> onHandOff(TransferState state, HandOff handOff) {
    waiters.answerAll(replayed -> outcome(state, replayed));
    return Effect().stop().thenNoReply();
  }

  // ---- the saga's steps ----

  private void resume(TransferState state) {
    wokenFinished = state.phase() == Phase.COMPLETED || state.phase() == Phase.REJECTED;
    switch (state.phase()) {
      case RESERVING -> steps.send(Step.RESERVE, state.transfer());
      case CREDITED -> steps.send(Step.SETTLE, state.transfer());
      case COMPLETED -> steps.send(Step.FORGET, state.transfer());
      default -> scheduleIdle(state);
    }
  }

  // ---- waiting clients ----

  private static Outcome outcome(TransferState state, boolean replayed) {
    var kind =
        switch (state.phase()) {
          case COMPLETED -> Outcome.Kind.COMPLETED;
          case REJECTED -> Outcome.Kind.REJECTED;
          default -> Outcome.Kind.PENDING;
        };
    return new Outcome(kind, state.transfer(), replayed);
  }

  private void scheduleIdle(TransferState state) {
    timers.startSingleTimer(
        "idle",
        new Idle(),
        wokenFinished ? settings.idleAfterWake() : settings.idleBeforePassivation());
  }

  // ---- events ----

  @Override
  public EventHandler<TransferState, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(TransferState::apply);
  }
}
