package io.bulwark.http.auth;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The identity provider's signing keys, fetched from its JWKS URL and cached. A fetch happens when
 * there is no key set yet, when the set is older than the cache time, or when a token names a
 * {@code kid} the set does not hold (the IdP rotated its keys); but never twice within the minimum
 * refetch interval, so tokens with random {@code kid}s cost the IdP at most one request per
 * interval and node. Concurrent callers that need a fetch share one.
 *
 * <p>While the IdP cannot be reached the last set keeps being used, for at most {@link #MAX_STALE};
 * longer if the cache time is longer; with no usable set at all, {@link #get} throws {@link
 * KeySourceException} (503 at the edge).
 *
 * <p>Blocking: called only on the JWT authenticator's own threads, never on a dispatcher.
 */
final class JwksKeys implements JWKSource<SecurityContext> {
  private static final Logger log = LoggerFactory.getLogger(JwksKeys.class);

  static final Duration MAX_STALE = Duration.ofHours(1);
  private static final int MAX_BYTES = 512 * 1024;

  private record Snapshot(JWKSet keys, long fetchedAtNanos) {}

  private final URI url;
  private final Duration timeout;
  private final long ttlNanos;
  private final long minIntervalNanos;
  private final long maxStaleNanos;
  private final LongSupplier nanoClock;
  private final HttpClient http;
  private final AtomicLong fetches = new AtomicLong();

  private volatile Snapshot current;
  // Guarded by this.
  private long lastAttemptNanos;
  private boolean attempted;

  JwksKeys(JwtSettings settings, LongSupplier nanoClock) {
    this.url = settings.jwksUrl();
    this.timeout = settings.jwksTimeout();
    this.ttlNanos = settings.jwksCacheTtl().toNanos();
    this.minIntervalNanos = settings.jwksMinRefetchInterval().toNanos();
    this.maxStaleNanos = Math.max(MAX_STALE.toNanos(), 2 * ttlNanos);
    this.nanoClock = nanoClock;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  @Override
  public List<JWK> get(JWKSelector selector, SecurityContext context) throws KeySourceException {
    Snapshot seen = current;
    if (seen == null || nanoClock.getAsLong() - seen.fetchedAtNanos() >= ttlNanos) {
      seen = refresh(seen);
    }
    if (seen == null || nanoClock.getAsLong() - seen.fetchedAtNanos() >= maxStaleNanos) {
      throw new KeySourceException("The identity provider's keys cannot be fetched");
    }
    List<JWK> found = selector.select(seen.keys());
    if (found.isEmpty()) {
      // An unknown kid: perhaps a key the IdP published since. Refetched at most once per interval.
      Snapshot fresh = refresh(seen);
      if (fresh != seen) {
        found = selector.select(fresh.keys());
      }
    }
    return found;
  }

  /** How many fetches were started, for tests and metrics. */
  long fetches() {
    return fetches.get();
  }

  /**
   * Fetches a new set unless another caller did since {@code seen} was read, or the last attempt is
   * more recent than the minimum interval; answers the set to use (perhaps {@code seen}).
   */
  private synchronized Snapshot refresh(Snapshot seen) {
    Snapshot now = current;
    if (now != seen) {
      return now;
    }
    long at = nanoClock.getAsLong();
    if (attempted && at - lastAttemptNanos < minIntervalNanos) {
      return now;
    }
    attempted = true;
    lastAttemptNanos = at;
    fetches.incrementAndGet();
    try {
      var fresh = new Snapshot(fetch(), at);
      current = fresh;
      return fresh;
    } catch (IOException | java.text.ParseException e) {
      log.warn("The JWKS at {} could not be fetched: {}", url, e.getMessage());
      return now;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return now;
    }
  }

  /** One GET, bounded as a whole by the timeout (a slowly dripping answer too) and in size. */
  private JWKSet fetch() throws IOException, InterruptedException, java.text.ParseException {
    var request =
        HttpRequest.newBuilder(url)
            .timeout(timeout)
            .header("Accept", "application/json, application/jwk-set+json")
            .GET()
            .build();
    var body = new java.io.ByteArrayOutputStream();
    var tooLarge = new java.util.concurrent.atomic.AtomicBoolean();
    var exchange =
        http.sendAsync(
            request,
            info ->
                HttpResponse.BodySubscribers.ofByteArrayConsumer(
                    chunk ->
                        chunk.ifPresent(
                            bytes -> {
                              synchronized (body) {
                                if (body.size() + bytes.length > MAX_BYTES) {
                                  tooLarge.set(true);
                                } else {
                                  body.write(bytes, 0, bytes.length);
                                }
                              }
                            })));
    HttpResponse<Void> response;
    try {
      response = exchange.get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      exchange.cancel(true);
      throw new IOException("no answer within " + timeout.toMillis() + " ms");
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IOException(String.valueOf(e.getCause()), e.getCause());
    }
    if (response.statusCode() != 200) {
      throw new IOException("HTTP status " + response.statusCode());
    }
    if (tooLarge.get()) {
      throw new IOException("the key set is larger than " + MAX_BYTES + " bytes");
    }
    String json;
    synchronized (body) {
      json = body.toString(StandardCharsets.UTF_8);
    }
    // Public keys only: private parts and symmetric (oct) keys are dropped.
    return JWKSet.parse(json).toPublicJWKSet();
  }
}
