package io.bulwark.domain.transfer;

import io.bulwark.domain.telemetry.BoundedLabels;
import io.bulwark.domain.telemetry.Traced;
import kamon.Kamon;
import kamon.context.Context;
import kamon.metric.Metric;
import kamon.tag.TagSet;
import org.slf4j.Logger;

/**
 * What one saga tells operators: its outcome and volume as counters, its duration and journal
 * writes as timers, and the trace of the request that started it, kept so that every step it sends
 * to an account, on this node or another, carries the same trace id into the logs. Counted only
 * when an event is written now, never when one is replayed from the journal.
 */
final class SagaTelemetry {
  static final String COMPLETED = "completed";
  static final String REJECTED = "rejected";

  private static final Metric.Counter TRANSFERS =
      Kamon.counter("bulwark.transfers", "Transfers finished, by outcome, refusal code, currency");
  private static final Metric.Counter VOLUME =
      Kamon.counter(
          "bulwark.transfer.volume.minor.units", "Money moved by completed transfers, by currency");
  private static final Metric.Timer DURATION =
      Kamon.timer("bulwark.saga.duration", "From a saga's start to its outcome, in this run");
  private static final Metric.Timer PERSIST =
      Kamon.timer("bulwark.journal.persist.duration", "From persist to the journal's confirmation");
  private static final Metric.Counter RETRIES =
      Kamon.counter("bulwark.saga.step.retries", "Saga steps sent again after a timeout");
  private static final BoundedLabels CURRENCIES = new BoundedLabels(32);

  private final Logger log;
  private final String transferId;
  private Context trace = Context.Empty();
  private long startedNanos;

  SagaTelemetry(Logger log, String transferId) {
    this.log = log;
    this.transferId = transferId;
  }

  /** A client's request reached the saga: the first one's trace follows the saga from here. */
  void requested() {
    Context current = Traced.current();
    if (trace.isEmpty() && !current.isEmpty()) {
      trace = current;
    }
    if (startedNanos == 0) {
      startedNanos = System.nanoTime();
    }
  }

  Context trace() {
    return trace;
  }

  /** Times a journal write: call at persist, run the result at the effect's thenRun. */
  Runnable persisting() {
    long start = System.nanoTime();
    return () -> PERSIST.withTag("entity", "transfer").record(System.nanoTime() - start);
  }

  void retried(Transfer.Step step) {
    RETRIES.withTag("step", step.name().toLowerCase()).increment();
  }

  void completed(TransferView transfer) {
    finished(COMPLETED, "none", transfer.currency());
    VOLUME.withTag("currency", CURRENCIES.label(transfer.currency())).increment(transfer.amount());
  }

  void rejected(String reason, String currency) {
    finished(REJECTED, reason, currency);
  }

  private void finished(String outcome, String code, String currency) {
    TRANSFERS
        .withTags(
            TagSet.builder()
                .add("outcome", outcome)
                .add("code", code)
                .add("currency", CURRENCIES.label(currency))
                .build())
        .increment();
    if (startedNanos != 0) {
      DURATION.withTag("outcome", outcome).record(System.nanoTime() - startedNanos);
    }
    Traced.run(trace, () -> log.debug("Transfer {} {} ({})", transferId, outcome, code));
  }

  /** Logs inside the saga's trace, whatever message is being handled now. */
  void error(String format, Object... args) {
    Traced.run(trace, () -> log.error(format, args));
  }
}
