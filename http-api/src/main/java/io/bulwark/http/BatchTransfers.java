package io.bulwark.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.bulwark.domain.Ids;
import io.bulwark.http.limits.RateLimiter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.server.RequestContext;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Framing;
import org.apache.pekko.stream.javadsl.FramingTruncation;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * {@code POST /v1/tenants/{tenantId}/transfers:batch}: an NDJSON upload, one transfer per line,
 * answered by one NDJSON result line per input line, in order, each with the status and body a
 * single POST would have got. The upload is read as the results are written, never held: a bounded
 * number of lines is in flight, each waits for a token of the tenant's write bucket, and a slow
 * ledger slows the client's upload through TCP. Memory does not grow with the upload.
 */
final class BatchTransfers {
  static final ContentType NDJSON =
      MediaTypes.applicationWithOpenCharset("x-ndjson")
          .toContentType(org.apache.pekko.http.javadsl.model.HttpCharsets.UTF_8);

  private final LedgerHandlers ledger;
  private final RateLimiter limiter;
  private final BatchSettings settings;
  private final Duration lineDeadline;
  private final ScheduledExecutorService pacing =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "bulwark-batch-pacing");
            t.setDaemon(true);
            return t;
          });

  BatchTransfers(
      LedgerHandlers ledger, RateLimiter limiter, BatchSettings settings, Duration lineDeadline) {
    this.ledger = ledger;
    this.limiter = limiter;
    this.settings = settings;
    this.lineDeadline = lineDeadline;
  }

  /** Who may write is checked, and the media type, before a byte of the body is read. */
  HttpResponse upload(RequestContext rc, Call call, String tenantId) {
    Access.writer(call.principal(), tenantId);
    var entity = rc.getRequest().entity();
    if (!entity.getContentType().mediaType().equals(NDJSON.mediaType())) {
      entity.discardBytes(rc.getMaterializer());
      throw new ApiException(
          415,
          "unsupported_media_type",
          "A batch is application/x-ndjson: one JSON object a line.");
    }
    Source<ByteString, ?> results =
        entity
            .withoutSizeLimit()
            .getDataBytes()
            .via(
                Framing.delimiter(
                    ByteString.fromString("\n"), settings.maxLineBytes(), FramingTruncation.ALLOW))
            .zipWithIndex()
            .map(p -> Pair.create(p.second() + 1, p.first()))
            .take(settings.maxLines() + 1L)
            .mapAsync(settings.parallelism(), p -> line(call, tenantId, p.first(), p.second()))
            .recover(
                org.apache.pekko.stream.scaladsl.Framing.FramingException.class,
                () -> tooLong(call));
    return HttpResponse.create().withEntity(HttpEntities.createChunked(NDJSON, results));
  }

  /** One line: parsed and checked, then paced by the tenant's write bucket, then executed. */
  private CompletionStage<ByteString> line(
      Call call, String tenantId, long number, ByteString bytes) {
    String requestId = call.requestId() + "." + number;
    if (number > settings.maxLines()) {
      return done(
          number,
          null,
          Problems.of(
              413,
              "batch_too_large",
              "A batch holds at most " + settings.maxLines() + " lines; the rest was not read.",
              null,
              requestId,
              Map.of()));
    }
    JsonBody body;
    String key;
    try {
      String text = TextPolicy.utf8(bytes.asByteBuffer()).strip(); // a bad line, not a bad batch
      if (text.isEmpty()) {
        throw ApiException.invalid(null, "The line is empty: each line is one JSON object.");
      }
      body = JsonBody.parse(text);
      key = body.requiredString("idempotencyKey", 255);
      if (!Ids.isValidIdempotencyKey(key)) {
        throw new ApiException(
            400,
            "idempotency_key_invalid",
            "An idempotencyKey is 1-255 printable ASCII characters.",
            "idempotencyKey");
      }
    } catch (RuntimeException e) {
      return done(number, null, Problems.fromThrowable(e, requestId));
    }
    var principal = call.principal();
    return limiter
        .awaitTenant(principal.tenantId(), principal.limits(), RateLimiter.Kind.WRITE, pacing)
        .thenCompose(
            ready -> {
              var lineCall =
                  new Call(requestId, principal, Deadline.in(lineDeadline), call.scope());
              try {
                return ledger.createTransfer(lineCall, tenantId, Optional.of(key), body);
              } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
              }
            })
        .exceptionally(e -> Problems.fromThrowable(e, requestId))
        .thenCompose(response -> done(number, key, response));
  }

  /** The result line: {@code {"line","idempotencyKey","status","replayed","body"}}. */
  private static CompletionStage<ByteString> done(long number, String key, HttpResponse response) {
    var entity = (HttpEntity.Strict) response.entity();
    boolean replayed = response.getHeader("Idempotent-Replayed").isPresent();
    String line;
    try {
      line =
          "{\"line\":"
              + number
              + ",\"idempotencyKey\":"
              + Json.MAPPER.writeValueAsString(key)
              + ",\"status\":"
              + response.status().intValue()
              + ",\"replayed\":"
              + replayed
              + ",\"body\":"
              + entity.getData().decodeString(StandardCharsets.UTF_8)
              + "}\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    return CompletableFuture.completedFuture(ByteString.fromString(line));
  }

  private ByteString tooLong(Call call) {
    var problem =
        Problems.of(
            413,
            "line_too_large",
            "A batch line is at most " + settings.maxLineBytes() + " bytes; the rest was not read.",
            null,
            call.requestId(),
            Map.of());
    return done(-1, null, problem).toCompletableFuture().join();
  }

  /** {@code bulwark.http.batch}, each value checked at start. */
  record BatchSettings(int maxLines, int maxLineBytes, int parallelism) {
    static BatchSettings fromConfig(com.typesafe.config.Config config) {
      var c = config.getConfig("bulwark.http.batch");
      return new BatchSettings(
          (int) within(c, "max-lines", c.getLong("max-lines"), 1, 100_000_000),
          (int) within(c, "max-line-size", c.getBytes("max-line-size"), 1024, 1 << 20),
          (int) within(c, "parallelism", c.getLong("parallelism"), 1, 1024));
    }

    private static long within(
        com.typesafe.config.Config c, String path, long value, long min, long max) {
      if (value < min || value > max) {
        throw new com.typesafe.config.ConfigException.BadValue(
            c.origin(),
            "bulwark.http.batch." + path,
            "must be from " + min + " to " + max + ", not " + value);
      }
      return value;
    }
  }
}
