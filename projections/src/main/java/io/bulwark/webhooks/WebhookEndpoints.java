package io.bulwark.webhooks;

import io.bulwark.readmodel.DependencyUnavailableException;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin and operator side of webhooks (ADR 0023): a tenant's endpoints and their signing
 * secrets, what was sent to them, and putting dead letters and missed events back into the queues.
 * The delivery side (projection, dispatcher) works the queues; everything here only changes rows so
 * that the dispatcher's rule (only the head of an (endpoint, account) queue is claimed, in seq
 * order) keeps the journal's order by itself.
 *
 * <p>A secret leaves this class once, formatted, when it is made; it is stored sealed and never
 * read back here.
 */
public final class WebhookEndpoints {
  private static final Logger log = LoggerFactory.getLogger(WebhookEndpoints.class);

  public static final int MAX_ENDPOINTS = 20;
  public static final int MAX_LIMIT = 200;
  public static final Duration MAX_OVERLAP = Duration.ofDays(7);

  /** How far back a recovery may reach: the retention of webhook_messages. */
  public static final Duration RECOVERY_WINDOW = Duration.ofDays(30);

  /** The states a delivery is shown in; "parked" is a pending one behind a dead letter. */
  public static final Set<String> STATES = Set.of("pending", "parked", "delivered", "dead");

  /** An endpoint's settings; never its secrets. */
  public record Endpoint(
      String tenantId,
      String id,
      String url,
      List<EventType> events,
      boolean enabled,
      String disabledReason,
      Instant createdAt,
      Instant updatedAt,
      Instant previousSecretExpiresAt) {}

  /** A new endpoint and its secret, shown this once. */
  public record CreatedEndpoint(Endpoint endpoint, String secret) {
    @Override
    public String toString() {
      return "CreatedEndpoint[endpoint=" + endpoint + ", secret=***]";
    }
  }

  /** The endpoint's new secret, shown this once; the previous one signs until it expires. */
  public record RotatedSecret(Endpoint endpoint, String secret) {
    @Override
    public String toString() {
      return "RotatedSecret[endpoint=" + endpoint + ", secret=***]";
    }
  }

  /** One message to one endpoint; {@code webhookId} is the webhook-id header it is sent with. */
  public record Delivery(
      String webhookId,
      long seq,
      String eventType,
      String accountId,
      String state,
      int attempts,
      Instant nextAttemptAt,
      Instant lastAttemptAt,
      Integer lastStatus,
      String lastError,
      Instant deliveredAt,
      Instant deadAt,
      Instant createdAt) {}

  public record DeliveryPage(List<Delivery> items, String nextCursor) {}

  /** A recover job; {@code total} is null until a runner has counted its work. */
  public record Recovery(
      String id,
      String endpointId,
      String state,
      Long total,
      long done,
      Instant since,
      Instant createdAt,
      Instant finishedAt) {}

  private final DataSource dataSource;
  private final SecretBox box;
  private final TargetPolicy targets;
  private final Executor blocking;
  private final Clock clock;
  private final Recoveries recoveries;

  public WebhookEndpoints(
      DataSource dataSource, SecretBox box, TargetPolicy targets, Executor blocking, Clock clock) {
    this.dataSource = dataSource;
    this.box = box;
    this.targets = targets;
    this.blocking = blocking;
    this.clock = clock;
    this.recoveries = new Recoveries(dataSource, clock);
  }

  /**
   * A new endpoint, enabled, with a new secret. Fails with {@link WebhookRefusedException} when the
   * URL is refused or the tenant has {@value #MAX_ENDPOINTS} endpoints already.
   */
  public CompletionStage<CreatedEndpoint> create(
      String tenantId, String url, List<EventType> events) {
    checkEvents(events);
    return async(
        () -> {
          String checked = checkedUrl(url);
          byte[] secret = WebhookSecrets.generate();
          byte[] sealed = box.seal(secret);
          Endpoint endpoint =
              WebhookJdbc.transaction(
                  dataSource,
                  c -> {
                    EndpointRows.lockTenant(c, tenantId);
                    if (EndpointRows.count(c, tenantId) >= MAX_ENDPOINTS) {
                      throw new WebhookRefusedException(
                          WebhookRefusedException.Reason.TOO_MANY_ENDPOINTS,
                          "A tenant has at most " + MAX_ENDPOINTS + " webhook endpoints.");
                    }
                    String id = WebhookJdbc.randomId("we_");
                    return EndpointRows.insert(
                        c, tenantId, id, checked, events, sealed, clock.instant());
                  });
          return new CreatedEndpoint(endpoint, WebhookSecrets.format(secret));
        });
  }

  /** A tenant's endpoints, oldest first. */
  public CompletionStage<List<Endpoint>> list(String tenantId) {
    return async(() -> WebhookJdbc.connected(dataSource, c -> EndpointRows.list(c, tenantId)));
  }

  public CompletionStage<Optional<Endpoint>> get(String tenantId, String endpointId) {
    return async(
        () -> WebhookJdbc.connected(dataSource, c -> EndpointRows.get(c, tenantId, endpointId)));
  }

  /** Changes what is given; empty when there is no such endpoint. A new URL is checked again. */
  public CompletionStage<Optional<Endpoint>> update(
      String tenantId,
      String endpointId,
      Optional<String> url,
      Optional<List<EventType>> events,
      Optional<Boolean> enabled) {
    events.ifPresent(WebhookEndpoints::checkEvents);
    return async(
        () -> {
          Optional<String> checked =
              url.isPresent() ? Optional.of(checkedUrl(url.get())) : Optional.empty();
          return WebhookJdbc.connected(
              dataSource,
              c ->
                  EndpointRows.update(
                      c, tenantId, endpointId, checked, events, enabled, clock.instant()));
        });
  }

  /** Removes the endpoint with its deliveries, at once; false when there is no such endpoint. */
  public CompletionStage<Boolean> delete(String tenantId, String endpointId) {
    return async(
        () ->
            WebhookJdbc.transaction(
                dataSource, c -> EndpointRows.delete(c, tenantId, endpointId, clock.instant())));
  }

  /**
   * A new secret; the current one keeps signing (alongside) for {@code overlap}, from 0 to 7 days.
   */
  public CompletionStage<Optional<RotatedSecret>> rotateSecret(
      String tenantId, String endpointId, Duration overlap) {
    if (overlap.isNegative() || overlap.compareTo(MAX_OVERLAP) > 0) {
      throw new IllegalArgumentException("the overlap must be from 0 to 7 days");
    }
    return async(
        () -> {
          byte[] secret = WebhookSecrets.generate();
          byte[] sealed = box.seal(secret);
          Instant now = clock.instant();
          return WebhookJdbc.connected(
                  dataSource,
                  c -> EndpointRows.rotate(c, tenantId, endpointId, sealed, now.plus(overlap), now))
              .map(endpoint -> new RotatedSecret(endpoint, WebhookSecrets.format(secret)));
        });
  }

  /**
   * The endpoint's deliveries, newest first, optionally of one of {@link #STATES}; empty when there
   * is no such endpoint. {@code cursor} is the {@code nextCursor} of the page before.
   */
  public CompletionStage<Optional<DeliveryPage>> deliveries(
      String tenantId,
      String endpointId,
      Optional<String> state,
      int limit,
      Optional<String> cursor) {
    checkLimit(limit);
    state.ifPresent(
        s -> {
          if (!STATES.contains(s)) {
            throw new IllegalArgumentException("no delivery state " + s);
          }
        });
    return onEndpoint(
        tenantId,
        endpointId,
        c -> DeliveryRows.newestFirst(c, tenantId, endpointId, state, limit, cursor));
  }

  /** The endpoint's dead letters in queue order (oldest first): what a replay sends, in turn. */
  public CompletionStage<Optional<DeliveryPage>> deadLetters(
      String tenantId, String endpointId, int limit, Optional<String> cursor) {
    checkLimit(limit);
    return onEndpoint(
        tenantId,
        endpointId,
        c -> DeliveryRows.deadInQueueOrder(c, tenantId, endpointId, limit, cursor));
  }

  /** One delivery back to pending, whatever its state; empty when there is no such delivery. */
  public CompletionStage<Optional<Delivery>> resend(
      String tenantId, String endpointId, String webhookId) {
    return async(
        () ->
            WebhookJdbc.transaction(
                dataSource,
                c ->
                    DeliveryRows.resend(c, tenantId, endpointId, webhookId, clock.instant())
                        ? DeliveryRows.get(c, tenantId, endpointId, webhookId)
                        : Optional.empty()));
  }

  /**
   * Every dead letter of the endpoint back to pending: how many, or empty when there is no such
   * endpoint. What they parked drains behind them, in order.
   */
  public CompletionStage<Optional<Long>> replay(String tenantId, String endpointId) {
    return onEndpoint(
        tenantId, endpointId, c -> DeliveryRows.replay(c, tenantId, endpointId, clock.instant()));
  }

  /**
   * A recover job from {@code since} (not in the future, at most {@link #RECOVERY_WINDOW} ago, else
   * {@link WebhookRefusedException}); empty when there is no such endpoint. {@link
   * #runRecoveries()} does the work.
   */
  public CompletionStage<Optional<Recovery>> startRecovery(
      String tenantId, String endpointId, Instant since) {
    Instant now = clock.instant();
    if (since.isAfter(now) || since.isBefore(now.minus(RECOVERY_WINDOW))) {
      return CompletableFuture.failedFuture(
          new WebhookRefusedException(
              WebhookRefusedException.Reason.SINCE_OUT_OF_RANGE,
              "'since' must lie within the last 30 days, the time messages are kept."));
    }
    return onEndpoint(
        tenantId, endpointId, c -> Recoveries.insert(c, tenantId, endpointId, since, now));
  }

  public CompletionStage<Optional<Recovery>> recovery(
      String tenantId, String endpointId, String recoveryId) {
    return async(
        () ->
            WebhookJdbc.connected(
                dataSource, c -> Recoveries.get(c, tenantId, endpointId, recoveryId)));
  }

  /**
   * Works every recover job that is new or whose runner stopped (no heartbeat for 30 s), to its
   * end, on the calling thread; how many jobs it worked on. Safe to call from every node.
   */
  public int runRecoveries() {
    return recoveries.run();
  }

  private String checkedUrl(String url) {
    try {
      return targets.checkUrl(url).toString();
    } catch (TargetRefusedException e) {
      throw new WebhookRefusedException(
          WebhookRefusedException.Reason.TARGET_REFUSED, e.getMessage());
    }
  }

  private static void checkEvents(List<EventType> events) {
    if (events.isEmpty() || new HashSet<>(events).size() != events.size()) {
      throw new IllegalArgumentException("events must be distinct, and at least one");
    }
  }

  private static void checkLimit(int limit) {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT);
    }
  }

  /** {@code work} in one transaction when the endpoint exists; empty when it does not. */
  private <T> CompletionStage<Optional<T>> onEndpoint(
      String tenantId, String endpointId, WebhookJdbc.Work<T> work) {
    return async(
        () ->
            WebhookJdbc.transaction(
                dataSource,
                c ->
                    EndpointRows.exists(c, tenantId, endpointId)
                        ? Optional.of(work.run(c))
                        : Optional.empty()));
  }

  private interface Work<T> {
    T run() throws SQLException;
  }

  private <T> CompletionStage<T> async(Work<T> work) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return work.run();
          } catch (SQLException e) {
            log.warn("Webhook endpoints could not be read or changed: {}", e.getMessage());
            throw new CompletionException(
                new DependencyUnavailableException("The webhook tables are unavailable."));
          }
        },
        blocking);
  }
}
