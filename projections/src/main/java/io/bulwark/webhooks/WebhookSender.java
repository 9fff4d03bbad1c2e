package io.bulwark.webhooks;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.ClientTransport;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.settings.ClientConnectionSettings;
import org.apache.pekko.http.javadsl.settings.ConnectionPoolSettings;

/**
 * Sends one signed delivery over HTTP. The target is checked before every attempt, and the
 * connection goes to the very address that was checked: the client's resolver is our {@link
 * TargetPolicy}, so a name that changes its address after the check (DNS rebinding) cannot lead it
 * elsewhere. Redirects are never followed; an attempt has a deadline; each endpoint has a pool of
 * its own (pekko-http keys pools by host and port), bounded by the per-endpoint in-flight limit.
 */
public final class WebhookSender {
  private static final Pattern TRACE_ID = Pattern.compile("^[0-9a-f]{32}$");
  private static final SecureRandom RANDOM = new SecureRandom();

  /** What is sent: the stored message, and the endpoint's live secrets (current first). */
  public record Outgoing(
      String messageId,
      URI url,
      String payload,
      List<byte[]> secrets,
      String requestId,
      String traceId) {}

  private final ActorSystem<?> system;
  private final TargetPolicy targets;
  private final Duration timeout;
  private final Executor blocking;
  private final ConnectionPoolSettings pool;

  public WebhookSender(
      ActorSystem<?> system,
      TargetPolicy targets,
      Duration timeout,
      int maxConnectionsPerEndpoint,
      Executor blocking) {
    this.system = system;
    this.targets = targets;
    this.timeout = timeout;
    this.blocking = blocking;
    var transport =
        ClientTransport.withCustomResolver(
            (host, port) ->
                CompletableFuture.supplyAsync(
                    () -> checkedAddress(host, (Integer) port), blocking));
    var connection =
        ClientConnectionSettings.create(system.classicSystem())
            .withTransport(transport)
            .withConnectingTimeout(timeout)
            .withIdleTimeout(timeout);
    this.pool =
        ConnectionPoolSettings.create(system.classicSystem())
            .withConnectionSettings(connection)
            .withMaxConnections(maxConnectionsPerEndpoint)
            .withMaxOpenRequests(Integer.highestOneBit(maxConnectionsPerEndpoint * 4 - 1) << 1)
            .withMaxRetries(0);
  }

  /** One attempt; never fails: every way it can go wrong is an {@link Attempt} outcome. */
  public CompletionStage<Attempt> send(Outgoing out) {
    // checked here as well as at connect: a pooled connection was checked when it opened
    return CompletableFuture.supplyAsync(() -> checkedAddress(out.url()), blocking)
        .thenCompose(address -> post(out))
        .exceptionally(WebhookSender::failure);
  }

  private CompletionStage<Attempt> post(Outgoing out) {
    long timestamp = Instant.now().getEpochSecond();
    var request =
        HttpRequest.POST(out.url().toString())
            .withEntity(ContentTypes.APPLICATION_JSON, out.payload())
            .addHeader(RawHeader.create("webhook-id", out.messageId()))
            .addHeader(RawHeader.create("webhook-timestamp", Long.toString(timestamp)))
            .addHeader(
                RawHeader.create(
                    "webhook-signature",
                    WebhookSecrets.header(
                        out.secrets(), out.messageId(), timestamp, out.payload())))
            .addHeader(RawHeader.create("User-Agent", "Bulwark-Webhooks/1"));
    if (out.traceId() != null && TRACE_ID.matcher(out.traceId()).matches()) {
      request = request.addHeader(RawHeader.create("traceparent", traceparent(out.traceId())));
    }
    if (out.requestId() != null) {
      request = request.addHeader(RawHeader.create("X-Request-Id", out.requestId()));
    }
    var http = Http.get(system.classicSystem());
    return http.singleRequest(
            request, http.defaultClientHttpsContext(), pool, system.classicSystem().log())
        .toCompletableFuture()
        .orTimeout(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
        .thenApply(this::answered);
  }

  private Attempt answered(HttpResponse response) {
    response.discardEntityBytes(system);
    Optional<Duration> retryAfter =
        response.getHeader("Retry-After").flatMap(h -> retryAfter(h.value()));
    return Attempt.answered(response.status().intValue(), retryAfter);
  }

  private InetAddress checkedAddress(URI url) {
    try {
      return targets.addressFor(url);
    } catch (TargetRefusedException e) {
      throw new CompletionException(e);
    }
  }

  private InetSocketAddress checkedAddress(String host, int port) {
    try {
      return new InetSocketAddress(targets.addressFor(host), port);
    } catch (TargetRefusedException e) {
      throw new CompletionException(e);
    }
  }

  private static Attempt failure(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof TargetRefusedException refused) {
        return Attempt.failed(Attempt.Outcome.REFUSED, "refused: " + refused.getMessage());
      }
      if (t instanceof TimeoutException) {
        return Attempt.failed(Attempt.Outcome.TIMEOUT, "no answer within the attempt timeout");
      }
    }
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message =
        root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    return Attempt.failed(
        Attempt.Outcome.CONNECTION_FAILED,
        "connection failed: " + message.substring(0, Math.min(200, message.length())));
  }

  /** Delta-seconds only; an HTTP date is rare from receivers and read as no advice. */
  static Optional<Duration> retryAfter(String value) {
    try {
      long seconds = Long.parseLong(value.strip());
      return seconds >= 0 ? Optional.of(Duration.ofSeconds(seconds)) : Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** W3C trace context: the request's trace, with a span id of this delivery's own. */
  private static String traceparent(String traceId) {
    byte[] span = new byte[8];
    RANDOM.nextBytes(span);
    return "00-" + traceId + "-" + HexFormat.of().formatHex(span) + "-01";
  }
}
