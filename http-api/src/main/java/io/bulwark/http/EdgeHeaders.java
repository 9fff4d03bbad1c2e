package io.bulwark.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

/**
 * What every API response says to browsers and caches (OWASP's REST security headers): answers are
 * not to be sniffed, framed, cached or given a referrer. CORS is off unless origins are configured:
 * then exactly those origins, never {@code *}, never with credentials (keys travel in the
 * Authorization header, not in cookies).
 */
final class EdgeHeaders {
  static final List<HttpHeader> ALWAYS =
      List.of(
          RawHeader.create("X-Content-Type-Options", "nosniff"),
          RawHeader.create("Cache-Control", "no-store"),
          RawHeader.create("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"),
          RawHeader.create("X-Frame-Options", "DENY"),
          RawHeader.create("Referrer-Policy", "no-referrer"));

  static final String ALLOWED_METHODS = "GET, POST, PUT, DELETE";
  static final String ALLOWED_HEADERS =
      "Authorization, Content-Type, Idempotency-Key, X-Request-Id, traceparent";
  static final String EXPOSED_HEADERS =
      "X-Request-Id, Location, Retry-After, RateLimit, RateLimit-Policy, Idempotent-Replayed";
  private static final String PREFLIGHT_MAX_AGE = "600";

  private final Set<String> allowedOrigins;

  EdgeHeaders(Set<String> allowedOrigins) {
    this.allowedOrigins = Set.copyOf(allowedOrigins);
  }

  /** A CORS preflight from an allowed origin, answered before authentication; else empty. */
  Optional<HttpResponse> preflight(HttpRequest request) {
    Optional<String> origin = allowedOrigin(request);
    if (origin.isEmpty()
        || !request.method().name().equals("OPTIONS")
        || request.getHeader("Access-Control-Request-Method").isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        HttpResponse.create()
            .withStatus(StatusCodes.NO_CONTENT)
            .addHeaders(
                List.of(
                    RawHeader.create("Access-Control-Allow-Origin", origin.get()),
                    RawHeader.create("Access-Control-Allow-Methods", ALLOWED_METHODS),
                    RawHeader.create("Access-Control-Allow-Headers", ALLOWED_HEADERS),
                    RawHeader.create("Access-Control-Max-Age", PREFLIGHT_MAX_AGE),
                    RawHeader.create("Vary", "Origin"))));
  }

  HttpResponse onto(HttpRequest request, HttpResponse response) {
    List<HttpHeader> headers = new ArrayList<>(ALWAYS);
    Optional<String> origin = allowedOrigin(request);
    if (origin.isPresent() && response.getHeader("Access-Control-Allow-Origin").isEmpty()) {
      headers.add(RawHeader.create("Access-Control-Allow-Origin", origin.get()));
      headers.add(RawHeader.create("Access-Control-Expose-Headers", EXPOSED_HEADERS));
      headers.add(RawHeader.create("Vary", "Origin"));
    }
    return response.addHeaders(headers);
  }

  private Optional<String> allowedOrigin(HttpRequest request) {
    if (allowedOrigins.isEmpty()) {
      return Optional.empty();
    }
    return request.getHeader("Origin").map(HttpHeader::value).filter(allowedOrigins::contains);
  }

  /** "https://a.example, https://b.example" as configured; blank turns CORS off. */
  static Set<String> parseOrigins(String raw) {
    Set<String> origins = new java.util.LinkedHashSet<>();
    for (String part : raw.split(",")) {
      String origin = part.strip();
      if (origin.isEmpty()) {
        continue;
      }
      if (!origin.matches("^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$")) {
        throw new IllegalArgumentException(
            "'" + origin + "' is not an origin (scheme://host[:port], no path, no wildcard)");
      }
      origins.add(origin);
    }
    return origins;
  }
}
