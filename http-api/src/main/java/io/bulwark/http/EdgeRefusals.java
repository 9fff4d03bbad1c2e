package io.bulwark.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.ParsingErrorHandler;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCode;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;

/**
 * The answers Pekko HTTP gives before a request reaches the routes, made problem+json like every
 * other error (ADR 0024): a request it cannot parse (set as {@code
 * pekko.http.server.parsing.error-handler}) and one the routes did not answer within {@code
 * pekko.http.server.request-timeout}. Pekko's own answers are text/plain and quote the client's
 * address and the offending input; these say only what kind of refusal it was, with a fresh request
 * id to quote, and keep the status Pekko chose.
 */
public final class EdgeRefusals extends ParsingErrorHandler {
  private static final Map<String, String> DETAILS =
      Map.of(
          "uri_too_long", "The request's URI is longer than this API accepts.",
          "headers_too_large", "The request's header fields are larger than this API accepts.",
          "http_version_not_supported", "This API speaks HTTP/1.1 (and HTTP/1.0) only.",
          "method_not_implemented", "This API does not implement the request's method.",
          "payload_too_large", "The request body is larger than this API accepts.",
          "invalid_request_target",
              "The request's target is not a valid URI: reserved characters such as %, [, ] and \\"
                  + " must be percent-encoded.",
          "invalid_http_message", "The request is not a well-formed HTTP message.");

  /** Instantiated by Pekko, by name, once per connection. */
  public EdgeRefusals() {}

  @Override
  public HttpResponse handle(
      StatusCode status, ErrorInfo info, LoggingAdapter log, ServerSettings settings) {
    int code = status.intValue();
    String problem = codeOf(code, info.summary());
    String requestId = RequestIds.fresh();
    // the summary can quote the input and the client's address: neither goes back to the client,
    // and neither goes to the log, where its bytes could forge lines
    log.info("Refused before routing: {} {} requestId={}", code, problem, requestId);
    return answer(code, problem, DETAILS.get(problem), requestId);
  }

  /** Pekko's status decides; within a 400, a bad URI is told from any other malformed message. */
  static String codeOf(int status, String summary) {
    return switch (status) {
      case 414 -> "uri_too_long";
      case 431 -> "headers_too_large";
      case 505 -> "http_version_not_supported";
      case 501 -> "method_not_implemented";
      case 413 -> "payload_too_large";
      default ->
          status == 400 && (summary.contains("request-target") || summary.contains("URI"))
              ? "invalid_request_target"
              : "invalid_http_message";
    };
  }

  /**
   * What a client is told when the routes did not answer within the request timeout: like a timed
   * out ask (ADR 0007), the outcome is unknown, and the same request with the same Idempotency-Key
   * is always safe to send again.
   */
  static HttpResponse requestTimeout(String requestId) {
    return answer(
        503,
        "request_timeout",
        "The request took longer than this API allows; whether it was done is unknown. Retry with"
            + " the same request.",
        requestId);
  }

  /** Not passed through the routes, so the headers they add to every answer are added here. */
  private static HttpResponse answer(int status, String code, String detail, String requestId) {
    List<HttpHeader> headers = new ArrayList<>(EdgeHeaders.ALWAYS);
    headers.add(RawHeader.create(RequestIds.HEADER, requestId));
    return Problems.of(status, code, detail, null, requestId, Map.of()).addHeaders(headers);
  }
}
