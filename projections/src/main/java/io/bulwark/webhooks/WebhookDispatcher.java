package io.bulwark.webhooks;

import io.bulwark.domain.placement.TenantPlacement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Sends due deliveries (ADR 0023). Each tick claims heads of (endpoint, account) queues up to the
 * node's free slots, at most {@code max-in-flight-per-endpoint} per endpoint and none for an
 * endpoint whose breaker is open, so a slow or failing endpoint holds only its own slots. An
 * outcome moves the delivery on: delivered, retried after the schedule's next wait, or a dead
 * letter that parks its queue. Any number of nodes may run one: claims are leases in the table.
 */
public final class WebhookDispatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);

  private final WebhookSettings settings;
  private final DeliveryQueue queue;
  private final WebhookSender sender;
  private final SecretBox box;
  private final EndpointBreakers breakers;
  private final WebhookTelemetry telemetry;
  private final ScheduledExecutorService ticker;
  private final ExecutorService blocking;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Map<String, AtomicInteger> inFlightByEndpoint = new ConcurrentHashMap<>();
  private final AtomicBoolean tickQueued = new AtomicBoolean();
  private volatile boolean stopped;

  private WebhookDispatcher(
      ActorSystem<?> system,
      DataSource dataSource,
      TargetPolicy targets,
      SecretBox box,
      WebhookSettings settings,
      TenantPlacement placement) {
    this.settings = settings;
    this.box = box;
    this.queue = new DeliveryQueue(dataSource, "node-" + UUID.randomUUID());
    this.blocking = Executors.newFixedThreadPool(4, daemon("bulwark-webhook-io"));
    this.ticker = Executors.newSingleThreadScheduledExecutor(daemon("bulwark-webhook-ticker"));
    this.sender =
        new WebhookSender(
            system,
            targets,
            settings.attemptTimeout(),
            settings.maxInFlightPerEndpoint(),
            blocking);
    this.telemetry = new WebhookTelemetry(placement);
    this.breakers =
        new EndpointBreakers(
            system.classicSystem().scheduler(),
            settings.breakerFailures(),
            settings.breakerOpenFor(),
            settings.breakerMaxOpenFor(),
            key -> {
              telemetry.breakerOpened();
              log.warn("Webhook endpoint {} failed repeatedly: its breaker is open", key);
            });
  }

  /** Housekeeping run on the dispatcher's thread every {@code every}; a failure is logged. */
  public record Task(String name, Duration every, Runnable work) {}

  /**
   * Starts sending, and runs the {@code maintenance} tasks (recoveries, gap checks, gauges) on the
   * same thread, each failure logged, never stopping the dispatcher.
   */
  public static WebhookDispatcher start(
      ActorSystem<?> system,
      DataSource dataSource,
      TargetPolicy targets,
      SecretBox box,
      WebhookSettings settings,
      TenantPlacement placement,
      List<Task> maintenance) {
    var d = new WebhookDispatcher(system, dataSource, targets, box, settings, placement);
    long poll = settings.pollInterval().toMillis();
    d.ticker.scheduleWithFixedDelay(d::tickSafely, poll, poll, TimeUnit.MILLISECONDS);
    for (Task task : maintenance) {
      long every = task.every().toMillis();
      d.ticker.scheduleWithFixedDelay(
          () -> d.safely(task.name(), task.work()), every, every, TimeUnit.MILLISECONDS);
    }
    system.getWhenTerminated().thenRun(d::close);
    return d;
  }

  /** Updates the dead-letter gauge every {@code every} from {@code counts} (per tenant). */
  public void watchDeadLetters(
      Duration every, java.util.function.Supplier<Map<String, Long>> counts) {
    ticker.scheduleWithFixedDelay(
        () -> safely("dead-letter gauge", () -> telemetry.deadLetters(counts.get())),
        0,
        every.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** Stops claiming at once; attempts in flight are abandoned and their leases lapse. */
  @Override
  public void close() {
    stopped = true;
    ticker.shutdownNow();
    blocking.shutdown();
  }

  /**
   * Stops claiming, then waits up to {@code within} for the attempts in flight to finish and their
   * outcomes to be stored, so a node leaving the cluster hands over no lease to lapse.
   */
  public void closeGracefully(Duration within) throws InterruptedException {
    stopped = true;
    ticker.shutdownNow();
    long end = System.nanoTime() + within.toNanos();
    while (inFlight.get() > 0 && System.nanoTime() < end) {
      Thread.sleep(50);
    }
    blocking.shutdown();
    blocking.awaitTermination(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
  }

  private void tickSafely() {
    tickQueued.set(false);
    safely("tick", this::tick);
  }

  private void safely(String what, Runnable work) {
    if (stopped) {
      return;
    }
    try {
      work.run();
    } catch (RuntimeException e) {
      log.error("Webhook {} failed; trying again on the next tick: {}", what, e.toString());
    }
  }

  private void tick() {
    int free = settings.maxInFlight() - inFlight.get();
    if (free <= 0) {
      return;
    }
    try {
      var chosen = choose(queue.due(Math.min(1_000, free * 8)), free);
      for (var claimed : queue.claim(chosen, settings.lease())) {
        start(claimed);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("the delivery queue cannot be read: " + e.getMessage(), e);
    }
  }

  /** Heads this node may take now: within its free slots, each endpoint's share and breaker. */
  private List<DeliveryQueue.Head> choose(List<DeliveryQueue.Head> heads, int free) {
    var chosen = new ArrayList<DeliveryQueue.Head>();
    var taken = new HashMap<String, Integer>();
    for (var head : heads) {
      if (chosen.size() >= free) {
        break;
      }
      String key = head.endpointKey();
      var admission = breakers.admission(key);
      if (admission == EndpointBreakers.Admission.OPEN) {
        continue;
      }
      int cap =
          admission == EndpointBreakers.Admission.TRIAL ? 1 : settings.maxInFlightPerEndpoint();
      int busy = inFlightOf(key).get() + taken.getOrDefault(key, 0);
      if (busy < cap) {
        chosen.add(head);
        taken.merge(key, 1, Integer::sum);
      }
    }
    return chosen;
  }

  private void start(DeliveryQueue.Claimed d) {
    inFlight.incrementAndGet();
    inFlightOf(d.endpointKey()).incrementAndGet();
    telemetry.inFlight(inFlight.get());
    long started = System.nanoTime();
    WebhookSender.Outgoing out;
    try {
      out =
          new WebhookSender.Outgoing(
              d.messageId(),
              d.url(),
              d.payload(),
              d.sealedSecrets().stream().map(box::open).toList(),
              d.requestId(),
              d.traceId());
    } catch (RuntimeException e) {
      finish(
          d,
          Attempt.failed(Attempt.Outcome.REFUSED, "the endpoint's secret cannot be opened"),
          started);
      return;
    }
    sender
        .send(out)
        .whenCompleteAsync(
            (attempt, failure) ->
                finish(
                    d,
                    attempt != null
                        ? attempt
                        : Attempt.failed(
                            Attempt.Outcome.CONNECTION_FAILED, String.valueOf(failure)),
                    started),
            blocking);
  }

  private void finish(DeliveryQueue.Claimed d, Attempt attempt, long started) {
    MDC.put("webhookId", d.messageId());
    MDC.put("tenantId", d.tenantId());
    try {
      telemetry.attempt(d.tenantId(), attempt, System.nanoTime() - started);
      record(d, attempt);
    } catch (SQLException | RuntimeException e) {
      // the lease lapses and the delivery is tried again: at least once, same webhook-id
      log.error(
          "Webhook {} to endpoint {}: its outcome ({}) cannot be stored: {}",
          d.messageId(),
          d.endpointId(),
          attempt.outcome().label(),
          e.toString());
    } finally {
      MDC.remove("webhookId");
      MDC.remove("tenantId");
      inFlightOf(d.endpointKey()).decrementAndGet();
      telemetry.inFlight(inFlight.decrementAndGet());
      requestTick();
    }
  }

  private void record(DeliveryQueue.Claimed d, Attempt attempt) throws SQLException {
    if (attempt.delivered()) {
      queue.delivered(d, attempt.status());
      breakers.succeeded(d.endpointKey());
      telemetry.delivered(
          d.tenantId(), d.eventType(), Duration.between(d.occurredAt(), Instant.now()));
      log.debug("Webhook {} delivered to endpoint {}", d.messageId(), d.endpointId());
      return;
    }
    breakers.failed(d.endpointKey());
    if (attempt.outcome() == Attempt.Outcome.GONE
        && queue.disableGone(d.tenantId(), d.endpointId())) {
      log.warn(
          "Webhook endpoint {} answered 410 Gone to {}: the endpoint is disabled until it is"
              + " enabled again",
          d.endpointId(),
          d.messageId());
    }
    var wait =
        settings
            .schedule()
            .next(d.attempts(), attempt.retryAfter(), ThreadLocalRandom.current()::nextDouble);
    if (wait.isEmpty()) {
      queue.dead(d, attempt);
      telemetry.deadLettered(d.tenantId());
      log.warn(
          "Webhook {} to endpoint {} failed {} times ({}): it is a dead letter, and its account's"
              + " later deliveries to this endpoint wait behind it",
          d.messageId(),
          d.endpointId(),
          d.attempts(),
          attempt.error());
      return;
    }
    queue.retry(d, wait.get(), attempt);
    log.info(
        "Webhook {} to endpoint {} failed (attempt {}: {}); next attempt in {} ms",
        d.messageId(),
        d.endpointId(),
        d.attempts(),
        attempt.error(),
        wait.get().toMillis());
  }

  /** A finished attempt may have unblocked the next delivery of its queue: look again soon. */
  private void requestTick() {
    if (!stopped && tickQueued.compareAndSet(false, true)) {
      try {
        ticker.schedule(this::tickSafely, 20, TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        tickQueued.set(false); // stopping
      }
    }
  }

  private AtomicInteger inFlightOf(String endpointKey) {
    return inFlightByEndpoint.computeIfAbsent(endpointKey, k -> new AtomicInteger());
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    var count = new AtomicInteger();
    return r -> {
      var t = new Thread(r, name + "-" + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
