package io.bulwark.domain.tenant;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonTypeName;
import io.bulwark.domain.JsonSerializable;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/** A tenant: its status and its API keys (hashes and roles). Single writer of authorization. */
public final class Tenant
    extends EventSourcedBehaviorWithEnforcedReplies<Tenant.Command, Tenant.Event, Tenant.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY =
      EntityTypeKey.create(Command.class, "Tenant");
  public static final String STATUS_ACTIVE = "active";

  // ---- protocol ----

  public sealed interface Command extends JsonSerializable {}

  public record Create(String name, Instant at, ActorRef<CreateReply> replyTo) implements Command {}

  public record Get(ActorRef<GetReply> replyTo) implements Command {}

  public record IssueKey(
      String keyId,
      String name,
      List<String> roles,
      String secretHash,
      Instant at,
      ActorRef<IssueReply> replyTo)
      implements Command {}

  public record RevokeKey(String keyId, Instant at, ActorRef<RevokeReply> replyTo)
      implements Command {}

  public record ListKeys(ActorRef<KeysReply> replyTo) implements Command {}

  /** Used by each node's key cache; answers with the record, active or revoked, or null. */
  public record LookupKey(String keyId, ActorRef<LookupReply> replyTo) implements Command {}

  public sealed interface CreateReply extends JsonSerializable {}

  public record Created(TenantView tenant) implements CreateReply {}

  public record AlreadyExists(TenantView tenant) implements CreateReply {}

  /** {@code tenant} is null when the tenant does not exist. */
  public record GetReply(TenantView tenant) implements JsonSerializable {}

  /** {@code key} is null when the tenant does not exist. */
  public record IssueReply(ApiKeyView key) implements JsonSerializable {}

  public enum RevokeOutcome {
    REVOKED,
    NOT_FOUND
  }

  public record RevokeReply(RevokeOutcome outcome) implements JsonSerializable {}

  /** {@code keys} is null when the tenant does not exist. */
  public record KeysReply(List<ApiKeyView> keys) implements JsonSerializable {}

  public record LookupReply(String tenantId, KeyRecord key) implements JsonSerializable {}

  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
  @JsonSubTypes({
    @JsonSubTypes.Type(TenantCreated.class),
    @JsonSubTypes.Type(ApiKeyIssued.class),
    @JsonSubTypes.Type(ApiKeyRevoked.class)
  })
  public sealed interface Event {}

  @JsonTypeName("tenant-created")
  public record TenantCreated(String tenantId, String name, Instant at) implements Event {}

  @JsonTypeName("api-key-issued")
  public record ApiKeyIssued(
      String tenantId, String keyId, String name, List<String> roles, String secretHash, Instant at)
      implements Event {}

  @JsonTypeName("api-key-revoked")
  public record ApiKeyRevoked(String tenantId, String keyId, Instant at) implements Event {}

  public record State(String name, String status, Instant createdAt, Map<String, KeyRecord> keys)
      implements JsonSerializable {

    static State empty() {
      return new State(null, null, null, Map.of());
    }

    boolean exists() {
      return name != null;
    }

    State withKey(KeyRecord key) {
      var next = new LinkedHashMap<>(keys);
      next.put(key.keyId(), key);
      return new State(name, status, createdAt, java.util.Collections.unmodifiableMap(next));
    }

    TenantView view(String tenantId) {
      return new TenantView(tenantId, name, status, createdAt);
    }
  }

  // ---- frame ----

  public static void init(ActorSystem<?> system) {
    ClusterSharding.get(system)
        .init(
            Entity.of(
                ENTITY_KEY,
                ctx ->
                    create(
                        ctx.getEntityId(),
                        PersistenceId.of(ENTITY_KEY.name(), ctx.getEntityId()))));
  }

  public static Behavior<Command> create(String tenantId, PersistenceId persistenceId) {
    return new Tenant(tenantId, persistenceId);
  }

  private final String tenantId;

  private Tenant(String tenantId, PersistenceId persistenceId) {
    super(
        persistenceId,
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
    this.tenantId = tenantId;
  }

  @Override
  public State emptyState() {
    return State.empty();
  }

  @Override
  public Set<String> tagsFor(Event event) {
    return Set.of();
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
        .forState(s -> !s.exists())
        .onCommand(Create.class, this::onCreate)
        .onCommand(Get.class, (s, c) -> Effect().reply(c.replyTo(), new GetReply(null)))
        .onCommand(IssueKey.class, (s, c) -> Effect().reply(c.replyTo(), new IssueReply(null)))
        .onCommand(
            RevokeKey.class,
            (s, c) -> Effect().reply(c.replyTo(), new RevokeReply(RevokeOutcome.NOT_FOUND)))
        .onCommand(ListKeys.class, (s, c) -> Effect().reply(c.replyTo(), new KeysReply(null)))
        .onCommand(
            LookupKey.class,
            (s, c) -> Effect().reply(c.replyTo(), new LookupReply(tenantId, null)));
    builder
        .forState(State::exists)
        .onCommand(
            Create.class,
            (s, c) -> Effect().reply(c.replyTo(), new AlreadyExists(s.view(tenantId))))
        .onCommand(Get.class, (s, c) -> Effect().reply(c.replyTo(), new GetReply(s.view(tenantId))))
        .onCommand(IssueKey.class, this::onIssueKey)
        .onCommand(RevokeKey.class, this::onRevokeKey)
        .onCommand(
            ListKeys.class,
            (s, c) ->
                Effect()
                    .reply(
                        c.replyTo(),
                        new KeysReply(s.keys().values().stream().map(KeyRecord::view).toList())))
        .onCommand(
            LookupKey.class,
            (s, c) ->
                Effect().reply(c.replyTo(), new LookupReply(tenantId, s.keys().get(c.keyId()))));
    return builder.build();
  }

  private ReplyEffect<Event, State> onCreate(State state, Create cmd) {
    return Effect()
        .persist(new TenantCreated(tenantId, cmd.name(), cmd.at()))
        .thenReply(cmd.replyTo(), s -> new Created(s.view(tenantId)));
  }

  private ReplyEffect<Event, State> onIssueKey(State state, IssueKey cmd) {
    KeyRecord existing = state.keys().get(cmd.keyId());
    if (existing != null) {
      return Effect().reply(cmd.replyTo(), new IssueReply(existing.view()));
    }
    var event =
        new ApiKeyIssued(
            tenantId,
            cmd.keyId(),
            cmd.name(),
            List.copyOf(cmd.roles()),
            cmd.secretHash(),
            cmd.at());
    return Effect()
        .persist(event)
        .thenReply(cmd.replyTo(), s -> new IssueReply(s.keys().get(cmd.keyId()).view()));
  }

  private ReplyEffect<Event, State> onRevokeKey(State state, RevokeKey cmd) {
    KeyRecord key = state.keys().get(cmd.keyId());
    if (key == null) {
      return Effect().reply(cmd.replyTo(), new RevokeReply(RevokeOutcome.NOT_FOUND));
    }
    if (!key.isActive()) {
      return Effect().reply(cmd.replyTo(), new RevokeReply(RevokeOutcome.REVOKED));
    }
    return Effect()
        .persist(new ApiKeyRevoked(tenantId, cmd.keyId(), cmd.at()))
        .thenReply(cmd.replyTo(), s -> new RevokeReply(RevokeOutcome.REVOKED));
  }

  // ---- events ----

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(
            TenantCreated.class, (s, e) -> new State(e.name(), STATUS_ACTIVE, e.at(), Map.of()))
        .onEvent(
            ApiKeyIssued.class,
            (s, e) ->
                s.withKey(
                    new KeyRecord(e.keyId(), e.name(), e.roles(), e.secretHash(), e.at(), null)))
        .onEvent(ApiKeyRevoked.class, (s, e) -> s.withKey(s.keys().get(e.keyId()).revoked(e.at())))
        .build();
  }
}
