package io.bulwark.domain.tenant;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonTypeName;
import io.bulwark.domain.EntityDispatcher;
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
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * A tenant: its status, its API keys (hashes and roles) and its own rate limits. Single writer of
 * authorization.
 */
public final class Tenant
    extends EventSourcedBehaviorWithEnforcedReplies<Tenant.Command, Tenant.Event, Tenant.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY =
      EntityTypeKey.create(Command.class, "Tenant");
  public static final String STATUS_ACTIVE = "active";

  // ---- protocol ----

  public sealed interface Command extends JsonSerializable {}

  public record Create(String name, Instant at, ActorRef<CreateReply> replyTo) implements Command {}

  public record Get(ActorRef<GetReply> replyTo) implements Command {}

  /** {@code expiresAt} null: the key never expires. */
  public record IssueKey(
      String keyId,
      String name,
      List<String> roles,
      String secretHash,
      Instant expiresAt,
      Instant at,
      ActorRef<IssueReply> replyTo)
      implements Command {}

  /**
   * Replaces a key: a new key with its name and roles, and the old one expiring at {@code
   * oldExpiresAt} (sooner if it already expired sooner), both in one write.
   */
  public record RotateKey(
      String oldKeyId,
      String newKeyId,
      String secretHash,
      Instant newExpiresAt,
      Instant oldExpiresAt,
      Instant at,
      ActorRef<RotateReply> replyTo)
      implements Command {}

  /** Gives an active key new roles; the answer carries the roles it had before. */
  public record ChangeKeyRoles(
      String keyId, List<String> roles, Instant at, ActorRef<RolesReply> replyTo)
      implements Command {}

  public record RevokeKey(String keyId, Instant at, ActorRef<RevokeReply> replyTo)
      implements Command {}

  public record ListKeys(ActorRef<KeysReply> replyTo) implements Command {}

  /**
   * Used by each node's key cache; answers with the record, active or revoked, or null. {@code
   * keyId} null asks only whether the tenant exists and for its limits (a JWT's tenant).
   */
  public record LookupKey(String keyId, ActorRef<LookupReply> replyTo) implements Command {}

  /** Sets the tenant's own rate limits; {@code limits} null returns it to the defaults. */
  public record SetLimits(TenantLimits limits, Instant at, ActorRef<LimitsReply> replyTo)
      implements Command {}

  public record GetLimits(ActorRef<LimitsReply> replyTo) implements Command {}

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

  /**
   * {@code key} null: no tenant or no such key; {@code previousRoles} null: the key is revoked or
   * has expired, so nothing changed.
   */
  public record RolesReply(ApiKeyView key, List<String> previousRoles)
      implements JsonSerializable {}

  public enum RotateOutcome {
    ROTATED,
    /** No tenant, or no such key. */
    NOT_FOUND,
    /** The key was revoked or has expired: nothing to rotate. */
    NOT_ACTIVE
  }

  /** {@code newKey} and {@code oldKey} are set when {@code outcome} is ROTATED. */
  public record RotateReply(RotateOutcome outcome, ApiKeyView newKey, ApiKeyView oldKey)
      implements JsonSerializable {}

  /** {@code keys} is null when the tenant does not exist. */
  public record KeysReply(List<ApiKeyView> keys) implements JsonSerializable {}

  /**
   * A key as the tenant stores it ({@code key} null when unknown) and the tenant's own limits
   * ({@code limits} null when it uses the defaults): one answer serves authentication and limits.
   * {@code tenantExists} is false for a tenant never created (also in a reply of a node from before
   * the field, which fails closed for the JWTs that need it).
   */
  public record LookupReply(
      String tenantId, KeyRecord key, TenantLimits limits, boolean tenantExists)
      implements JsonSerializable {}

  /**
   * {@code exists} false when the tenant does not exist; {@code limits} null when it uses the
   * defaults.
   */
  public record LimitsReply(boolean exists, TenantLimits limits) implements JsonSerializable {}

  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
  @JsonSubTypes({
    @JsonSubTypes.Type(TenantCreated.class),
    @JsonSubTypes.Type(ApiKeyIssued.class),
    @JsonSubTypes.Type(ApiKeyRevoked.class),
    @JsonSubTypes.Type(ApiKeyExpirySet.class),
    @JsonSubTypes.Type(ApiKeyRolesChanged.class),
    @JsonSubTypes.Type(TenantLimitsSet.class),
    @JsonSubTypes.Type(TenantLimitsCleared.class)
  })
  public sealed interface Event {}

  @JsonTypeName("tenant-created")
  public record TenantCreated(String tenantId, String name, Instant at) implements Event {}

  /** {@code expiresAt} is null for a key that never expires (and in events before expiry). */
  @JsonTypeName("api-key-issued")
  public record ApiKeyIssued(
      String tenantId,
      String keyId,
      String name,
      List<String> roles,
      String secretHash,
      Instant at,
      Instant expiresAt)
      implements Event {}

  @JsonTypeName("api-key-roles-changed")
  public record ApiKeyRolesChanged(String tenantId, String keyId, List<String> roles, Instant at)
      implements Event {}

  @JsonTypeName("api-key-expiry-set")
  public record ApiKeyExpirySet(String tenantId, String keyId, Instant expiresAt, Instant at)
      implements Event {}

  @JsonTypeName("api-key-revoked")
  public record ApiKeyRevoked(String tenantId, String keyId, Instant at) implements Event {}

  @JsonTypeName("tenant-limits-set")
  public record TenantLimitsSet(String tenantId, TenantLimits limits, Instant at)
      implements Event {}

  @JsonTypeName("tenant-limits-cleared")
  public record TenantLimitsCleared(String tenantId, Instant at) implements Event {}

  /** {@code limits} is null while the tenant uses the configured defaults. */
  public record State(
      String name,
      String status,
      Instant createdAt,
      Map<String, KeyRecord> keys,
      TenantLimits limits)
      implements JsonSerializable {

    static State empty() {
      return new State(null, null, null, Map.of(), null);
    }

    State withLimits(TenantLimits next) {
      return new State(name, status, createdAt, keys, next);
    }

    boolean exists() {
      return name != null;
    }

    State withKey(KeyRecord key) {
      var next = new LinkedHashMap<>(keys);
      next.put(key.keyId(), key);
      return new State(
          name, status, createdAt, java.util.Collections.unmodifiableMap(next), limits);
    }

    TenantView view(String tenantId) {
      return new TenantView(tenantId, name, status, createdAt);
    }
  }

  // ---- frame ----

  public static void init(ActorSystem<?> system) {
    EntityDispatcher.initSharded(system, ENTITY_KEY, Tenant::create);
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
            RotateKey.class,
            (s, c) ->
                Effect().reply(c.replyTo(), new RotateReply(RotateOutcome.NOT_FOUND, null, null)))
        .onCommand(
            RevokeKey.class,
            (s, c) -> Effect().reply(c.replyTo(), new RevokeReply(RevokeOutcome.NOT_FOUND)))
        .onCommand(
            ChangeKeyRoles.class, (s, c) -> Effect().reply(c.replyTo(), new RolesReply(null, null)))
        .onCommand(ListKeys.class, (s, c) -> Effect().reply(c.replyTo(), new KeysReply(null)))
        .onCommand(
            LookupKey.class,
            (s, c) -> Effect().reply(c.replyTo(), new LookupReply(tenantId, null, null, false)))
        .onCommand(
            SetLimits.class, (s, c) -> Effect().reply(c.replyTo(), new LimitsReply(false, null)))
        .onCommand(
            GetLimits.class, (s, c) -> Effect().reply(c.replyTo(), new LimitsReply(false, null)));
    builder
        .forState(State::exists)
        .onCommand(
            Create.class,
            (s, c) -> Effect().reply(c.replyTo(), new AlreadyExists(s.view(tenantId))))
        .onCommand(Get.class, (s, c) -> Effect().reply(c.replyTo(), new GetReply(s.view(tenantId))))
        .onCommand(IssueKey.class, this::onIssueKey)
        .onCommand(RotateKey.class, this::onRotateKey)
        .onCommand(RevokeKey.class, this::onRevokeKey)
        .onCommand(ChangeKeyRoles.class, this::onChangeKeyRoles)
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
                Effect()
                    .reply(
                        c.replyTo(),
                        new LookupReply(
                            tenantId,
                            c.keyId() == null ? null : s.keys().get(c.keyId()),
                            s.limits(),
                            true)))
        .onCommand(SetLimits.class, this::onSetLimits)
        .onCommand(
            GetLimits.class,
            (s, c) -> Effect().reply(c.replyTo(), new LimitsReply(true, s.limits())));
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
            cmd.at(),
            cmd.expiresAt());
    return Effect()
        .persist(event)
        .thenReply(cmd.replyTo(), s -> new IssueReply(s.keys().get(cmd.keyId()).view()));
  }

  private ReplyEffect<Event, State> onRotateKey(State state, RotateKey cmd) {
    KeyRecord rotated = state.keys().get(cmd.newKeyId());
    KeyRecord old = state.keys().get(cmd.oldKeyId());
    if (old == null) {
      return Effect().reply(cmd.replyTo(), new RotateReply(RotateOutcome.NOT_FOUND, null, null));
    }
    if (rotated != null) { // a repeated command: the first one's answer
      return Effect()
          .reply(cmd.replyTo(), new RotateReply(RotateOutcome.ROTATED, rotated.view(), old.view()));
    }
    if (!old.isActive() || old.isExpiredAt(cmd.at())) {
      return Effect().reply(cmd.replyTo(), new RotateReply(RotateOutcome.NOT_ACTIVE, null, null));
    }
    Instant oldExpiresAt =
        old.expiresAt() != null && old.expiresAt().isBefore(cmd.oldExpiresAt())
            ? old.expiresAt()
            : cmd.oldExpiresAt();
    List<Event> events =
        List.of(
            new ApiKeyIssued(
                tenantId,
                cmd.newKeyId(),
                old.name(),
                old.roles(),
                cmd.secretHash(),
                cmd.at(),
                cmd.newExpiresAt()),
            new ApiKeyExpirySet(tenantId, cmd.oldKeyId(), oldExpiresAt, cmd.at()));
    return Effect()
        .persist(events)
        .thenReply(
            cmd.replyTo(),
            s ->
                new RotateReply(
                    RotateOutcome.ROTATED,
                    s.keys().get(cmd.newKeyId()).view(),
                    s.keys().get(cmd.oldKeyId()).view()));
  }

  private ReplyEffect<Event, State> onChangeKeyRoles(State state, ChangeKeyRoles cmd) {
    KeyRecord key = state.keys().get(cmd.keyId());
    if (key == null) {
      return Effect().reply(cmd.replyTo(), new RolesReply(null, null));
    }
    if (!key.isActive() || key.isExpiredAt(cmd.at())) {
      return Effect().reply(cmd.replyTo(), new RolesReply(key.view(), null));
    }
    if (key.roles().equals(cmd.roles())) {
      return Effect().reply(cmd.replyTo(), new RolesReply(key.view(), key.roles()));
    }
    return Effect()
        .persist(new ApiKeyRolesChanged(tenantId, cmd.keyId(), List.copyOf(cmd.roles()), cmd.at()))
        .thenReply(
            cmd.replyTo(), s -> new RolesReply(s.keys().get(cmd.keyId()).view(), key.roles()));
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

  private ReplyEffect<Event, State> onSetLimits(State state, SetLimits cmd) {
    if (java.util.Objects.equals(state.limits(), cmd.limits())) {
      return Effect().reply(cmd.replyTo(), new LimitsReply(true, state.limits()));
    }
    Event event =
        cmd.limits() == null
            ? new TenantLimitsCleared(tenantId, cmd.at())
            : new TenantLimitsSet(tenantId, cmd.limits(), cmd.at());
    return Effect().persist(event).thenReply(cmd.replyTo(), s -> new LimitsReply(true, s.limits()));
  }

  // ---- events ----

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(
            TenantCreated.class,
            (s, e) -> new State(e.name(), STATUS_ACTIVE, e.at(), Map.of(), null))
        .onEvent(
            ApiKeyIssued.class,
            (s, e) ->
                s.withKey(
                    new KeyRecord(
                        e.keyId(),
                        e.name(),
                        e.roles(),
                        e.secretHash(),
                        e.at(),
                        null,
                        e.expiresAt())))
        .onEvent(
            ApiKeyRolesChanged.class,
            (s, e) -> s.withKey(s.keys().get(e.keyId()).withRoles(e.roles())))
        .onEvent(
            ApiKeyExpirySet.class,
            (s, e) -> s.withKey(s.keys().get(e.keyId()).expiringAt(e.expiresAt())))
        .onEvent(ApiKeyRevoked.class, (s, e) -> s.withKey(s.keys().get(e.keyId()).revoked(e.at())))
        .onEvent(TenantLimitsSet.class, (s, e) -> s.withLimits(e.limits()))
        .onEvent(TenantLimitsCleared.class, (s, e) -> s.withLimits(null))
        .build();
  }
}
