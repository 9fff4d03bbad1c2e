package io.bulwark.http;

import io.bulwark.domain.Times;
import io.bulwark.domain.account.Account;
import io.bulwark.domain.tenant.Tenant;
import io.bulwark.domain.transfer.Outcome;
import io.bulwark.domain.transfer.Transfer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/** The asks the API makes of the sharded entities, each bounded by a timeout. */
public final class EntityGateway {
  private final ClusterSharding sharding;
  private final Duration timeout;

  public EntityGateway(ActorSystem<?> system, Duration timeout) {
    this.sharding = ClusterSharding.get(system);
    this.timeout = timeout;
  }

  CompletionStage<Tenant.CreateReply> createTenant(String tenantId, String name) {
    return tenant(tenantId).ask(r -> new Tenant.Create(name, Times.now(), r), timeout);
  }

  CompletionStage<Tenant.GetReply> getTenant(String tenantId) {
    return tenant(tenantId).ask(Tenant.Get::new, timeout);
  }

  CompletionStage<Tenant.IssueReply> issueKey(
      String tenantId, String keyId, String name, List<String> roles, String hash) {
    return tenant(tenantId)
        .ask(r -> new Tenant.IssueKey(keyId, name, roles, hash, Times.now(), r), timeout);
  }

  CompletionStage<Tenant.RevokeReply> revokeKey(String tenantId, String keyId) {
    return tenant(tenantId).ask(r -> new Tenant.RevokeKey(keyId, Times.now(), r), timeout);
  }

  CompletionStage<Tenant.KeysReply> listKeys(String tenantId) {
    return tenant(tenantId).ask(Tenant.ListKeys::new, timeout);
  }

  CompletionStage<Account.OpenReply> openAccount(
      String tenantId, String accountId, String currency, Long overdraftLimit) {
    return account(tenantId, accountId)
        .ask(r -> new Account.Open(currency, overdraftLimit, Times.now(), r), timeout);
  }

  CompletionStage<Account.GetReply> getAccount(String tenantId, String accountId) {
    return account(tenantId, accountId).ask(Account.Get::new, timeout);
  }

  /** Waits for the saga up to {@code wait}; the ask itself gets a margin beyond it. */
  CompletionStage<Outcome> startTransfer(
      String tenantId, String key, TransferRequest request, String fingerprint, Duration wait) {
    return sharding
        .entityRefFor(Transfer.ENTITY_KEY, Transfer.entityId(tenantId, key))
        .ask(
            r ->
                new Transfer.Start(
                    request.from(),
                    request.to(),
                    request.amount(),
                    request.currency(),
                    request.reference(),
                    fingerprint,
                    wait,
                    r),
            wait.plus(timeout));
  }

  CompletionStage<Transfer.GetReply> getTransfer(String tenantId, String key) {
    return sharding
        .entityRefFor(Transfer.ENTITY_KEY, Transfer.entityId(tenantId, key))
        .ask(Transfer.Get::new, timeout);
  }

  private org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef<Tenant.Command> tenant(
      String tenantId) {
    return sharding.entityRefFor(Tenant.ENTITY_KEY, tenantId);
  }

  private org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef<Account.Command> account(
      String tenantId, String accountId) {
    return sharding.entityRefFor(Account.ENTITY_KEY, Account.entityId(tenantId, accountId));
  }
}
