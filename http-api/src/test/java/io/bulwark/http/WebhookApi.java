package io.bulwark.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.HikariDataSource;
import io.bulwark.audit.AuditEvent;
import io.bulwark.testing.DatabaseLogin;
import io.bulwark.testing.TestDatabase;
import io.bulwark.testing.TestSecrets;
import io.bulwark.webhooks.AllowedTargets;
import io.bulwark.webhooks.SecretBox;
import io.bulwark.webhooks.TargetPolicy;
import io.bulwark.webhooks.WebhookEndpoints;
import java.net.UnknownHostException;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The routes on loopback over real webhook tables (a fresh database, used as the node's role).
 * Targets: 127.0.0.1 only, IP literals only; no name resolves, nothing is ever connected to. Every
 * secret a response shows is kept, to be looked for in what was audited.
 */
final class WebhookApi implements AutoCloseable {
  static final String PLATFORM = RouteServer.PLATFORM_KEY;

  final TestDatabase db = TestDatabase.create();
  final WebhookEndpoints webhooks;
  final RouteServer server;
  final Set<String> secretsShown = ConcurrentHashMap.newKeySet();

  private final HikariDataSource app;
  private final ExecutorService blocking = Executors.newFixedThreadPool(2);

  WebhookApi() throws Exception {
    app = DatabaseLogin.create(db, "webhook_routes", "bulwark_app").pool(db);
    webhooks =
        new WebhookEndpoints(
            app,
            new SecretBox(TestSecrets.remember("webhook-routes-key-" + "r".repeat(32))),
            new TargetPolicy(
                AllowedTargets.parse("127.0.0.1/32"),
                host -> {
                  throw new UnknownHostException(host);
                }),
            blocking,
            Clock.systemUTC());
    server = new RouteServer("", null, webhooks);
  }

  HttpResponse<String> send(String method, String path, String key, String body) throws Exception {
    return server.send(server.json(method, path, key, body).build());
  }

  /** The JSON body of a response of {@code status}; a secret in it is remembered. */
  JsonNode json(HttpResponse<String> response, int status) throws Exception {
    assertEquals(status, response.statusCode(), response.body());
    JsonNode body = Json.MAPPER.readTree(response.body());
    if (body.hasNonNull("secret")) {
      secretsShown.add(TestSecrets.remember(body.get("secret").asText()));
    }
    return body;
  }

  JsonNode problem(HttpResponse<String> response, int status, String code) throws Exception {
    assertEquals(status, response.statusCode(), response.body());
    assertEquals(
        "application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
    JsonNode body = Json.MAPPER.readTree(response.body());
    assertEquals(code, body.get("code").asText(), response.body());
    return body;
  }

  /** Creates an endpoint of "acme" as its admin, for {@code events}; its id. */
  String create(String path, String events) throws Exception {
    var body =
        json(
            send(
                "POST",
                "/v1/tenants/acme/webhooks",
                server.adminKey,
                "{\"url\":\"http://127.0.0.1:8080" + path + "\",\"events\":" + events + "}"),
            201);
    return body.get("id").asText();
  }

  /** What was audited about one endpoint, in order. */
  List<AuditEvent> auditedFor(String endpointId) {
    return server.audited.stream()
        .filter(e -> ("webhook:" + endpointId).equals(e.target()))
        .toList();
  }

  /** No audit event holds any secret a response showed. */
  void assertNoSecretAudited() {
    for (AuditEvent event : server.audited) {
      String text = event.toString() + event.details();
      for (String secret : secretsShown) {
        assertFalse(text.contains(secret), "a webhook secret in " + event.action());
      }
      assertFalse(text.contains("whsec_"), event.toString());
    }
  }

  @Override
  public void close() {
    server.close();
    blocking.shutdownNow();
    app.close();
    db.close();
  }
}
