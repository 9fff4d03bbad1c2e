package io.bulwark.loadtests;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

/** A thin asynchronous client of the Bulwark API over Pekko HTTP's pooled connections. */
final class Api {
  private static final Pattern CODE = Pattern.compile("\"code\":\"([a-z_]+)\"");
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  /**
   * One answer: its status, its problem code (or null), its body, and what kind of request it was.
   */
  record Answer(int status, String code, String body, String kind) {
    Answer as(String newKind) {
      return new Answer(status, code, body, newKind);
    }
  }

  private final ActorSystem system;
  private final Http http;
  private final String baseUrl;

  Api(ActorSystem system, String baseUrl) {
    this.system = system;
    this.http = Http.get(system);
    this.baseUrl = baseUrl;
  }

  CompletionStage<Answer> send(
      String method, String path, String key, Map<String, String> headers, String json) {
    var request =
        HttpRequest.create(baseUrl + path)
            .withMethod(HttpMethods.lookup(method).orElseThrow())
            .addHeader(RawHeader.create("Authorization", "Bearer " + key));
    for (var h : headers.entrySet()) {
      request = request.addHeader(RawHeader.create(h.getKey(), h.getValue()));
    }
    if (json != null) {
      request = request.withEntity(ContentTypes.APPLICATION_JSON, json);
    }
    return http.singleRequest(request)
        .thenCompose(
            r ->
                r.entity()
                    .toStrict(TIMEOUT.toMillis(), system)
                    .thenApply(
                        e -> {
                          String body = e.getData().decodeString(StandardCharsets.UTF_8);
                          int status = r.status().intValue();
                          return new Answer(
                              status, status >= 400 ? code(body) : null, body, "request");
                        }));
  }

  /** Sends and waits; for setup steps, which must succeed with {@code expected}. */
  Answer call(String method, String path, String key, String json, int expected) {
    return call(method, path, key, json, expected, Map.of());
  }

  Answer call(
      String method,
      String path,
      String key,
      String json,
      int expected,
      Map<String, String> headers) {
    Answer a = send(method, path, key, headers, json).toCompletableFuture().join();
    if (a.status() != expected) {
      throw new IllegalStateException(
          method + " " + path + " answered " + a.status() + ": " + a.body());
    }
    return a;
  }

  static String code(String body) {
    Matcher m = CODE.matcher(body);
    return m.find() ? m.group(1) : null;
  }
}
