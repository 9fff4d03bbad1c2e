package io.bulwark.domain.account;

import kamon.Kamon;
import kamon.metric.Metric;

/** What the accounts' batching tells operators (ADR 0026). */
final class AccountTelemetry {
  private static final Metric.Histogram BATCH_COMMANDS =
      Kamon.histogram(
          "bulwark.account.batch.commands", "Commands an account decided in one journal write");
  private static final Metric.Counter DROPPED =
      Kamon.counter(
          "bulwark.account.commands.dropped",
          "Commands an account dropped unanswered, waited too long or queue full, by reason");

  private AccountTelemetry() {}

  static void batch(int commands) {
    BATCH_COMMANDS.withoutTags().record(commands);
  }

  static void dropped(String reason, int count) {
    DROPPED.withTag("reason", reason).increment(count);
  }
}
