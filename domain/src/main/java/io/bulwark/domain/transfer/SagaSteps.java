package io.bulwark.domain.transfer;

import io.bulwark.domain.Times;
import io.bulwark.domain.account.Account;
import io.bulwark.domain.telemetry.Traced;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Delivers the saga's steps to the accounts: one step in flight at a time, each an ask with a
 * timeout, retried with exponential backoff and jitter until an account answers. Every step carries
 * the transfer id, so a repeated delivery changes nothing at the account.
 */
final class SagaSteps {
  private final ActorContext<Transfer.Command> context;
  private final TimerScheduler<Transfer.Command> timers;
  private final Transfer.AccountRefs accounts;
  private final TransferSettings settings;
  private final String tenantId;
  private final String transferId;
  private final SagaTelemetry telemetry;
  private Transfer.Step current;
  private int attempt;

  SagaSteps(
      ActorContext<Transfer.Command> context,
      TimerScheduler<Transfer.Command> timers,
      Transfer.AccountRefs accounts,
      TransferSettings settings,
      String tenantId,
      String transferId,
      SagaTelemetry telemetry) {
    this.context = context;
    this.telemetry = telemetry;
    this.timers = timers;
    this.accounts = accounts;
    this.settings = settings;
    this.tenantId = tenantId;
    this.transferId = transferId;
  }

  boolean isCurrent(Transfer.Step step) {
    return step == current;
  }

  boolean isIdle() {
    return current == null;
  }

  void succeeded() {
    attempt = 0;
  }

  void finished() {
    current = null;
  }

  void send(Transfer.Step step, TransferView t) {
    current = step;
    boolean atDestination = step == Transfer.Step.CREDIT || step == Transfer.Step.FORGET;
    String accountId = atDestination ? t.to() : t.from();
    String counterparty = step == Transfer.Step.CREDIT ? t.from() : t.to();
    // The request's trace goes with the step, and so into the account's log lines.
    Traced.run(telemetry.trace(), () -> ask(step, t, accountId, counterparty));
  }

  private void ask(Transfer.Step step, TransferView t, String accountId, String counterparty) {
    context.ask(
        Account.StepReply.class,
        accounts.account(tenantId, accountId),
        settings.stepTimeout(),
        replyTo ->
            switch (step) {
              case RESERVE -> new Account.Reserve(transferId, t.amount(), t.currency(), replyTo);
              case CREDIT ->
                  new Account.Credit(
                      transferId,
                      t.amount(),
                      t.currency(),
                      counterparty,
                      t.reference(),
                      Times.now(),
                      replyTo);
              case SETTLE ->
                  new Account.Settle(transferId, counterparty, t.reference(), Times.now(), replyTo);
              case RELEASE -> new Account.Release(transferId, replyTo);
              case FORGET -> new Account.Forget(transferId, replyTo);
            },
        (reply, failure) ->
            new Transfer.StepResult(
                step, reply, failure == null ? null : failure.getClass().getSimpleName()));
  }

  void retryLater(Transfer.Step step) {
    attempt++;
    telemetry.retried(step);
    var delay = settings.backoff(attempt, ThreadLocalRandom.current().nextDouble());
    timers.startSingleTimer("retry", new Transfer.RetryStep(step), delay);
  }
}
