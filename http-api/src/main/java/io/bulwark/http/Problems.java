package io.bulwark.http;

import io.bulwark.readmodel.DependencyUnavailableException;
import io.bulwark.readmodel.InvalidCursorException;
import io.bulwark.readmodel.QueryDeadlineException;
import io.bulwark.webhooks.WebhookRefusedException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.scaladsl.model.EntityStreamException;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.pattern.AskTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Every error of the API is made here, as RFC 9457 problem+json with a stable code. */
public final class Problems {
  private static final Logger log = LoggerFactory.getLogger(Problems.class);

  private static final Map<Integer, String> TITLES =
      Map.ofEntries(
          Map.entry(400, "Bad Request"),
          Map.entry(401, "Unauthorized"),
          Map.entry(403, "Forbidden"),
          Map.entry(404, "Not Found"),
          Map.entry(405, "Method Not Allowed"),
          Map.entry(408, "Request Timeout"),
          Map.entry(409, "Conflict"),
          Map.entry(413, "Content Too Large"),
          Map.entry(414, "URI Too Long"),
          Map.entry(415, "Unsupported Media Type"),
          Map.entry(422, "Unprocessable Content"),
          Map.entry(429, "Too Many Requests"),
          Map.entry(431, "Request Header Fields Too Large"),
          Map.entry(500, "Internal Server Error"),
          Map.entry(501, "Not Implemented"),
          Map.entry(503, "Service Unavailable"),
          Map.entry(505, "HTTP Version Not Supported"));

  private Problems() {}

  public static HttpResponse of(ApiException e, String requestId) {
    return of(e.status(), e.code(), e.getMessage(), e.member(), requestId, Map.of());
  }

  public static HttpResponse of(
      int status,
      String code,
      String detail,
      String member,
      String requestId,
      Map<String, Object> extra) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", "/problems/" + code);
    body.put("title", TITLES.getOrDefault(status, "Error"));
    body.put("status", status);
    body.put("detail", detail);
    body.put("code", code);
    body.put("requestId", requestId);
    if (member != null) {
      body.put("member", member);
    }
    body.putAll(extra);
    List<HttpHeader> headers = new ArrayList<>();
    if (status == 401) {
      headers.add(RawHeader.create("WWW-Authenticate", "Bearer"));
    }
    if (status == 503) {
      headers.add(
          RawHeader.create("Retry-After", code.equals("dependency_unavailable") ? "2" : "1"));
    }
    return HttpResponse.create()
        .withStatus(StatusCodes.get(status))
        .addHeaders(headers)
        .withEntity(Json.PROBLEM_JSON, Json.bytes(body))
        .addAttribute(HttpTelemetry.PROBLEM_CODE, code);
  }

  /** Maps any failure of a request's work to a response; only the unforeseen are 500s. */
  public static HttpResponse fromThrowable(Throwable failure, String requestId) {
    Throwable e = unwrap(failure);
    if (e instanceof ApiException api) {
      return of(api, requestId);
    }
    if (e instanceof WebhookRefusedException refused) {
      return webhookRefused(refused, requestId);
    }
    if (e instanceof InvalidCursorException) {
      return of(
          400,
          "invalid_cursor",
          "The cursor is not one this API issued.",
          "cursor",
          requestId,
          Map.of());
    }
    if (e instanceof EntityStreamSizeException) {
      return of(
          413,
          "payload_too_large",
          "The request body is larger than 64 KiB.",
          null,
          requestId,
          Map.of());
    }
    if (e instanceof EntityStreamException) {
      // the same code Pekko's refusal before routing gets (EdgeRefusals): whichever notices a bad
      // chunk first, the client sees one answer
      return of(
          400,
          "invalid_http_message",
          "The request body could not be read: it is not well-formed HTTP (e.g. a bad chunk).",
          null,
          requestId,
          Map.of());
    }
    if (e instanceof DependencyUnavailableException) {
      return of(
          503,
          "dependency_unavailable",
          "The ledger's database is unavailable; nothing was done. Retry after the Retry-After delay.",
          null,
          requestId,
          Map.of());
    }
    if (e instanceof QueryDeadlineException) {
      return of(
          503,
          "deadline_exceeded",
          "The request ran out of time before it could be worked on; retry with the same request.",
          null,
          requestId,
          Map.of());
    }
    if (e instanceof AskTimeoutException || e instanceof TimeoutException) {
      return of(
          503,
          "unavailable",
          "The ledger did not answer in time; retry with the same request.",
          null,
          requestId,
          Map.of());
    }
    log.error("Request {} failed unexpectedly", requestId, e);
    return of(500, "internal_error", "An unexpected error occurred.", null, requestId, Map.of());
  }

  private static HttpResponse webhookRefused(WebhookRefusedException e, String requestId) {
    return switch (e.reason()) {
      case TARGET_REFUSED ->
          of(
              422,
              "webhook_target_refused",
              "Webhooks cannot be sent to this URL: " + e.getMessage() + ".",
              "url",
              requestId,
              Map.of());
      case TOO_MANY_ENDPOINTS ->
          of(409, "too_many_webhooks", e.getMessage(), null, requestId, Map.of());
      case SINCE_OUT_OF_RANGE ->
          of(422, "since_out_of_range", e.getMessage(), "since", requestId, Map.of());
    };
  }

  static Throwable unwrap(Throwable failure) {
    Throwable e = failure;
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }
}
