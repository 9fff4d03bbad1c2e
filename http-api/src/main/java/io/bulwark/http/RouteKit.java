package io.bulwark.http;

import io.bulwark.domain.Stages;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.RequestContext;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * What every part of the route tree shares: 405 with Allow, paged lists, handlers whose failures
 * become problems, and JSON bodies read only after the caller is authorized.
 */
abstract class RouteKit extends AllDirectives {
  private static final Duration BODY_READ_TIMEOUT = Duration.ofSeconds(10);

  private final long maxBodyBytes;

  RouteKit(long maxBodyBytes) {
    this.maxBodyBytes = maxBodyBytes;
  }

  final Route methodNotAllowed(Call call, String allow) {
    return complete(
        Problems.of(
                405,
                "method_not_allowed",
                "This resource allows " + allow + ".",
                null,
                call.requestId(),
                Map.of())
            .addHeader(RawHeader.create("Allow", allow)));
  }

  /** A list: its {@code limit} and {@code cursor} query parameters, checked by the handler. */
  final Route paged(
      Call call,
      BiFunction<Optional<String>, Optional<String>, CompletionStage<HttpResponse>> handler) {
    return parameterOptional(
        "limit",
        limit ->
            parameterOptional(
                "cursor", cursor -> respond(call, () -> handler.apply(limit, cursor))));
  }

  /** Runs a handler; a synchronous throw and a failed stage are mapped alike. */
  final Route respond(Call call, Supplier<CompletionStage<HttpResponse>> handler) {
    CompletionStage<HttpResponse> stage;
    try {
      stage = handler.get();
    } catch (RuntimeException e) {
      stage = CompletableFuture.failedFuture(e);
    }
    return onSuccess(
        stage.exceptionally(e -> Problems.fromThrowable(e, call.requestId())), this::complete);
  }

  /** The problem of a failed {@code check}, or else {@code inner}. */
  final Route respondIfInvalid(Call call, Runnable check, Supplier<Route> inner) {
    try {
      check.run();
    } catch (ApiException refused) {
      return complete(Problems.of(refused, call.requestId()));
    }
    return inner.get();
  }

  /** As {@link #withBody}, but a request without a body is handled as if it had sent {@code {}}. */
  final Route withOptionalBody(
      RequestContext rc,
      Call call,
      Runnable authorize,
      Function<JsonBody, CompletionStage<HttpResponse>> handler) {
    if (rc.getRequest().entity().isKnownEmpty()) {
      return respond(
          call,
          () -> {
            authorize.run();
            return handler.apply(JsonBody.parse("{}"));
          });
    }
    return withBody(rc, call, authorize, handler);
  }

  /**
   * Reads a JSON body: application/json in UTF-8 only (415), at most the configured size (413),
   * then hands the parsed object to the handler. Who may call is decided before the body is read,
   * so a caller without the right sees 403 or 404 whatever it sent.
   */
  final Route withBody(
      RequestContext rc,
      Call call,
      Runnable authorize,
      Function<JsonBody, CompletionStage<HttpResponse>> handler) {
    return respond(
        call,
        () -> {
          authorize.run();
          var entity = rc.getRequest().entity();
          var contentType = entity.getContentType();
          boolean json = contentType.mediaType().equals(MediaTypes.APPLICATION_JSON);
          boolean utf8 =
              contentType.getCharsetOption().map(c -> c.equals(HttpCharsets.UTF_8)).orElse(true);
          if (!json || !utf8) {
            entity.discardBytes(rc.getMaterializer());
            throw new ApiException(
                415, "unsupported_media_type", "Request bodies must be application/json (UTF-8).");
          }
          if (entity.getContentLengthOption().orElse(0L) > maxBodyBytes) {
            entity.discardBytes(rc.getMaterializer());
            throw new ApiException(
                413, "payload_too_large", "The request body is larger than 64 KiB.");
          }
          // A small body usually arrives whole: use it as it is rather than run a stream for it.
          CompletionStage<HttpEntity.Strict> body =
              entity instanceof HttpEntity.Strict whole
                  ? CompletableFuture.completedFuture(whole)
                  : Stages.direct(
                      entity.toStrict(
                          BODY_READ_TIMEOUT.toMillis(), maxBodyBytes, rc.getMaterializer()));
          return body.thenCompose(
              strict ->
                  handler.apply(JsonBody.parse(TextPolicy.utf8(strict.getData().asByteBuffer()))));
        });
  }
}
