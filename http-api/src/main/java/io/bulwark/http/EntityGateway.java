package io.bulwark.http;

import io.bulwark.domain.Stages;
import io.bulwark.domain.Times;
import io.bulwark.domain.account.Account;
import io.bulwark.domain.telemetry.Traced;
import io.bulwark.domain.tenant.Tenant;
import io.bulwark.domain.tenant.TenantLimits;
import io.bulwark.domain.transfer.Outcome;
import io.bulwark.domain.transfer.Transfer;
import io.bulwark.readmodel.DatabaseHealth;
import io.bulwark.readmodel.DependencyUnavailableException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * The asks the API makes of the sharded entities, each bounded by the request's deadline and by the
 * configured ask timeout, whichever comes first; none is sent once the deadline has passed.
 */
public final class EntityGateway {
  /** What a transfer's ask keeps beyond the saga's wait, so the saga's own answer arrives. */
  private static final Duration ANSWER_MARGIN = Duration.ofMillis(500);

  /**
   * While the database is down an entity can answer only from memory, at once: an ask waits no
   * longer than this, and its timeout means the entity would have had to read the journal.
   */
  private static final Duration FROM_MEMORY = Duration.ofMillis(300);

  private final ClusterSharding sharding;
  private final Duration askTimeout;
  private final DatabaseHealth database;

  public EntityGateway(ActorSystem<?> system, Duration askTimeout, DatabaseHealth database) {
    this.sharding = ClusterSharding.get(system);
    this.askTimeout = askTimeout;
    this.database = database;
  }

  CompletionStage<Tenant.CreateReply> createTenant(Call call, String tenantId, String name) {
    return ask(call, Tenant.ENTITY_KEY, tenantId, r -> new Tenant.Create(name, Times.now(), r));
  }

  CompletionStage<Tenant.GetReply> getTenant(Call call, String tenantId) {
    return ask(call, Tenant.ENTITY_KEY, tenantId, Tenant.Get::new);
  }

  CompletionStage<Tenant.IssueReply> issueKey(
      Call call,
      String tenantId,
      String keyId,
      String name,
      List<String> roles,
      String hash,
      java.time.Instant expiresAt) {
    return ask(
        call,
        Tenant.ENTITY_KEY,
        tenantId,
        r -> new Tenant.IssueKey(keyId, name, roles, hash, expiresAt, Times.now(), r));
  }

  CompletionStage<Tenant.RotateReply> rotateKey(
      Call call,
      String tenantId,
      String oldKeyId,
      String newKeyId,
      String hash,
      java.time.Instant newExpiresAt,
      java.time.Instant oldExpiresAt,
      java.time.Instant at) {
    return ask(
        call,
        Tenant.ENTITY_KEY,
        tenantId,
        r -> new Tenant.RotateKey(oldKeyId, newKeyId, hash, newExpiresAt, oldExpiresAt, at, r));
  }

  CompletionStage<Tenant.RolesReply> changeKeyRoles(
      Call call, String tenantId, String keyId, List<String> roles) {
    return ask(
        call,
        Tenant.ENTITY_KEY,
        tenantId,
        r -> new Tenant.ChangeKeyRoles(keyId, roles, Times.now(), r));
  }

  CompletionStage<Tenant.RevokeReply> revokeKey(Call call, String tenantId, String keyId) {
    return ask(call, Tenant.ENTITY_KEY, tenantId, r -> new Tenant.RevokeKey(keyId, Times.now(), r));
  }

  CompletionStage<Tenant.KeysReply> listKeys(Call call, String tenantId) {
    return ask(call, Tenant.ENTITY_KEY, tenantId, Tenant.ListKeys::new);
  }

  CompletionStage<Tenant.LimitsReply> setLimits(Call call, String tenantId, TenantLimits limits) {
    return ask(
        call, Tenant.ENTITY_KEY, tenantId, r -> new Tenant.SetLimits(limits, Times.now(), r));
  }

  CompletionStage<Tenant.LimitsReply> getLimits(Call call, String tenantId) {
    return ask(call, Tenant.ENTITY_KEY, tenantId, Tenant.GetLimits::new);
  }

  CompletionStage<Account.OpenReply> openAccount(
      Call call, String tenantId, String accountId, String currency, Long overdraftLimit) {
    return ask(
        call,
        Account.ENTITY_KEY,
        Account.entityId(tenantId, accountId),
        r -> new Account.Open(currency, overdraftLimit, Times.now(), r));
  }

  CompletionStage<Account.GetReply> getAccount(Call call, String tenantId, String accountId) {
    return ask(call, Account.ENTITY_KEY, Account.entityId(tenantId, accountId), Account.Get::new);
  }

  /**
   * Waits for the saga up to {@code wait}, cut short so that its answer still fits in the deadline;
   * the ask itself lasts until the deadline.
   */
  CompletionStage<Outcome> startTransfer(
      Call call,
      String tenantId,
      String key,
      TransferRequest request,
      String fingerprint,
      Duration wait) {
    if (!database.isUp()) {
      throw new DependencyUnavailableException("The journal is unavailable.");
    }
    Duration left = call.deadline().left();
    Duration sagaWait = left.minus(ANSWER_MARGIN);
    Duration bounded =
        sagaWait.isNegative() ? Duration.ZERO : (wait.compareTo(sagaWait) <= 0 ? wait : sagaWait);
    EntityRef<Transfer.Command> saga =
        sharding.entityRefFor(Transfer.ENTITY_KEY, Transfer.entityId(tenantId, key));
    return Stages.direct(
        Traced.get(
            call.scope().context(),
            () ->
                saga.ask(
                    r ->
                        new Transfer.Start(
                            request.from(),
                            request.to(),
                            request.amount(),
                            request.currency(),
                            request.reference(),
                            fingerprint,
                            bounded,
                            r),
                    left)));
  }

  CompletionStage<Transfer.GetReply> getTransfer(Call call, String tenantId, String key) {
    return ask(call, Transfer.ENTITY_KEY, Transfer.entityId(tenantId, key), Transfer.Get::new);
  }

  /**
   * One ask, timed by what is left of the deadline (at most the ask timeout). The deadline is
   * checked first, so an expired request reaches no entity, not even its shard region.
   */
  private <C, R> CompletionStage<R> ask(
      Call call, EntityTypeKey<C> type, String entityId, Function<ActorRef<R>, C> message) {
    Duration timeout;
    try {
      Duration left = call.deadline().left();
      timeout = left.compareTo(askTimeout) < 0 ? left : askTimeout;
    } catch (RuntimeException expired) {
      return CompletableFuture.failedFuture(expired);
    }
    boolean databaseDown = !database.isUp();
    if (databaseDown && timeout.compareTo(FROM_MEMORY) > 0) {
      timeout = FROM_MEMORY;
    }
    Duration bounded = timeout;
    var answer =
        Stages.direct(
            Traced.get(
                call.scope().context(),
                () -> sharding.entityRefFor(type, entityId).ask(message::apply, bounded)));
    if (!databaseDown) {
      return answer;
    }
    return answer.exceptionallyCompose(
        e ->
            CompletableFuture.failedFuture(
                Problems.unwrap(e) instanceof TimeoutException
                    ? new DependencyUnavailableException("The entity's journal is unavailable.")
                    : e));
  }
}
