package io.bulwark.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.bulwark.domain.tenant.KeyRecord;
import io.bulwark.domain.tenant.Tenant;
import io.bulwark.http.auth.ApiKeys;
import io.bulwark.http.auth.Authenticator;
import io.bulwark.http.auth.KeyCache;
import io.bulwark.http.auth.KeyRevocations;
import io.bulwark.readmodel.ReadModelQueries;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The route tree's own rules, on a bound server with a real client: everything decided before an
 * entity or the database is asked (authentication, roles, content type, size, validation, 404 and
 * 405, request ids). Keys come from a fake tenant lookup; no entity is ever reached.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiRoutesTest {
  private static final String PLATFORM_KEY = "bwp_route_test_platform_key";
  private final HttpClient http = HttpClient.newHttpClient();
  private ActorSystem<Void> system;
  private ServerBinding binding;
  private String operatorKey;
  private String viewerKey;

  @BeforeAll
  void start() throws Exception {
    system =
        ActorSystem.create(
            Behaviors.empty(),
            "routes",
            ConfigFactory.parseString(
                    "pekko.actor.provider = cluster\n"
                        + "pekko.remote.artery.canonical.port = 0\n"
                        + "pekko.remote.artery.canonical.hostname = 127.0.0.1\n"
                        + "pekko.loglevel = WARNING")
                .withFallback(ConfigFactory.load()));
    var operator = ApiKeys.issue("acme");
    var viewer = ApiKeys.issue("acme");
    operatorKey = operator.secret();
    viewerKey = viewer.secret();
    KeyCache.Source source =
        (tenantId, keyId) -> {
          KeyRecord key = null;
          if (keyId.equals(operator.keyId())) {
            key =
                new KeyRecord(
                    keyId, "op", List.of("operator"), operator.hash(), Instant.EPOCH, null);
          } else if (keyId.equals(viewer.keyId())) {
            key = new KeyRecord(keyId, "v", List.of("viewer"), viewer.hash(), Instant.EPOCH, null);
          }
          return CompletableFuture.completedFuture(new Tenant.LookupReply(tenantId, key));
        };
    var cache =
        new KeyCache(source, Duration.ofSeconds(2), Duration.ofSeconds(4), System::nanoTime);
    var settings = HttpSettings.fromConfig(system.settings().config());
    var routes =
        new ApiRoutes(
            new Authenticator(ApiKeys.hash(PLATFORM_KEY), cache),
            new EntityGateway(system, Duration.ofSeconds(1)),
            new ReadModelQueries(noDatabase(), Runnable::run),
            KeyRevocations.localOnly(cache),
            settings);
    binding = ApiServer.start(system, routes.route(), "127.0.0.1", 0).toCompletableFuture().get();
  }

  private static javax.sql.DataSource noDatabase() {
    return (javax.sql.DataSource)
        java.lang.reflect.Proxy.newProxyInstance(
            ApiRoutesTest.class.getClassLoader(),
            new Class<?>[] {javax.sql.DataSource.class},
            (proxy, method, args) -> {
              throw new IllegalStateException("route tests never reach the database");
            });
  }

  @AfterAll
  void stop() {
    system.terminate();
  }

  private HttpResponse<String> send(
      String method, String path, String key, String type, String body) throws Exception {
    var builder =
        HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + binding.localAddress().getPort() + path));
    if (key != null) {
      builder.header("Authorization", "Bearer " + key);
    }
    if (type != null) {
      builder.header("Content-Type", type);
    }
    builder.header("Idempotency-Key", "k-1");
    builder.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    return http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode problem(HttpResponse<String> response, int status, String code)
      throws Exception {
    assertEquals(status, response.statusCode(), response.body());
    assertEquals(
        "application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
    JsonNode body = Json.MAPPER.readTree(response.body());
    assertEquals(code, body.get("code").asText());
    assertEquals(
        response.headers().firstValue("X-Request-Id").orElseThrow(),
        body.get("requestId").asText());
    return body;
  }

  @Test
  void withoutAKeyEveryApiPathIsUnauthenticated() throws Exception {
    var response = send("GET", "/v1/tenants/acme/accounts", null, null, null);
    problem(response, 401, "unauthenticated");
    assertEquals("Bearer", response.headers().firstValue("WWW-Authenticate").orElseThrow());
  }

  @Test
  void aKeyOfAnotherTenantGetsNotFound() throws Exception {
    problem(send("GET", "/v1/tenants/other/accounts/a", operatorKey, null, null), 404, "not_found");
  }

  @Test
  void rolesAreEnforcedBeforeTheBodyIsRead() throws Exception {
    problem(
        send("POST", "/v1/tenants/acme/transfers", viewerKey, "text/plain", "x"), 403, "forbidden");
    problem(send("GET", "/v1/tenants/acme/accounts/a", PLATFORM_KEY, null, null), 403, "forbidden");
  }

  @Test
  void bodiesMustBeJsonAndSmall() throws Exception {
    String path = "/v1/tenants/acme/transfers";
    problem(send("POST", path, operatorKey, "text/plain", "{}"), 415, "unsupported_media_type");
    problem(
        send("POST", path, operatorKey, "application/json", "x".repeat(65 * 1024)),
        413,
        "payload_too_large");
    var invalid =
        problem(
            send("POST", path, operatorKey, "application/json", "{\"to\":\"b\"}"),
            400,
            "invalid_request");
    assertEquals("from", invalid.get("member").asText());
  }

  @Test
  void unknownPathsAndMethodsAreProblems() throws Exception {
    problem(send("GET", "/nowhere", null, null, null), 404, "not_found");
    var wrongMethod =
        send("PUT", "/v1/tenants/acme/accounts", operatorKey, "application/json", "{}");
    problem(wrongMethod, 405, "method_not_allowed");
    assertEquals("GET, POST", wrongMethod.headers().firstValue("Allow").orElseThrow());
  }

  @Test
  void theRequestIdOfAFailedRequestIsLogged() throws Exception {
    var logger =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.bulwark.http.access");
    var appender =
        new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
    appender.start();
    logger.addAppender(appender);
    try {
      var response = send("GET", "/v1/tenants/other/accounts/a", operatorKey, null, null);
      String requestId = response.headers().firstValue("X-Request-Id").orElseThrow();
      assertTrue(
          appender.list.stream().anyMatch(e -> e.getFormattedMessage().contains(requestId)),
          "the access log names " + requestId);
      assertTrue(
          appender.list.stream().noneMatch(e -> e.getFormattedMessage().contains(operatorKey)),
          "never the API key");
    } finally {
      logger.detachAppender(appender);
    }
  }

  @Test
  void aValidRequestIdIsEchoed() throws Exception {
    var request =
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + binding.localAddress().getPort() + "/nowhere"))
            .header("X-Request-Id", "trace-42")
            .build();
    var response = http.send(request, HttpResponse.BodyHandlers.ofString());
    assertEquals("trace-42", response.headers().firstValue("X-Request-Id").orElseThrow());
    assertTrue(response.body().contains("\"requestId\":\"trace-42\""));
  }
}
