package io.bulwark.http;

import com.typesafe.config.ConfigFactory;
import io.bulwark.audit.AuditEvent;
import io.bulwark.audit.AuditKeys;
import io.bulwark.audit.AuditReader;
import io.bulwark.audit.AuditTrail;
import io.bulwark.deadletters.ProjectionDeadLetters;
import io.bulwark.domain.tenant.KeyRecord;
import io.bulwark.domain.tenant.Tenant;
import io.bulwark.http.auth.ApiKeys;
import io.bulwark.http.auth.Authenticator;
import io.bulwark.http.auth.KeyCache;
import io.bulwark.http.auth.KeyRevocations;
import io.bulwark.http.limits.Protection;
import io.bulwark.readmodel.DatabaseHealth;
import io.bulwark.readmodel.ReadModelQueries;
import io.bulwark.readmodel.Reconciliation;
import io.bulwark.testing.TestSecrets;
import io.bulwark.webhooks.AllowedTargets;
import io.bulwark.webhooks.SecretBox;
import io.bulwark.webhooks.TargetPolicy;
import io.bulwark.webhooks.WebhookEndpoints;
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

/**
 * The API's routes bound on loopback in an actor system of their own, with an admin, an operator
 * and a viewer key of tenant "acme" served by a fake tenant lookup. No entity is started and the
 * database is absent, unless a test hands in webhook endpoints over one of its own: what these
 * tests see is decided before either would be asked.
 */
final class RouteServer implements AutoCloseable {
  static final String PLATFORM_KEY = "bwp_route_test_platform_key";

  final String adminKey;
  final String operatorKey;
  final String viewerKey;
  final Protection protection;

  /** What the routes handed to the audit trail, in order. */
  final List<AuditEvent> audited = new java.util.concurrent.CopyOnWriteArrayList<>();

  private final AuditTrail audit =
      event -> {
        audited.add(event);
        return CompletableFuture.completedFuture(null);
      };
  private final ActorSystem<Void> system;
  private final ServerBinding binding;
  private final HttpClient http = HttpClient.newHttpClient();

  /** The tenants the fake lookup says exist. */
  static final java.util.Set<String> TENANTS = java.util.Set.of("acme", "globex", "other");

  /** With JWT authentication when {@code jwt} is given (ADR 0021). */
  final io.bulwark.http.auth.JwtAuthenticator jwt;

  /** {@code hocon} is laid over the defaults, e.g. to shorten the deadline. */
  RouteServer(String hocon) throws Exception {
    this(hocon, null);
  }

  RouteServer(String hocon, io.bulwark.http.auth.JwtSettings jwtSettings) throws Exception {
    this(hocon, jwtSettings, null);
  }

  /** With {@code webhooks} behind the webhook routes; without, they have no database either. */
  RouteServer(String hocon, io.bulwark.http.auth.JwtSettings jwtSettings, WebhookEndpoints webhooks)
      throws Exception {
    system =
        ActorSystem.create(
            Behaviors.empty(),
            "routes",
            ConfigFactory.parseString(
                    hocon
                        + "\npekko.actor.provider = cluster\n"
                        + "pekko.remote.artery.canonical.port = 0\n"
                        + "pekko.remote.artery.canonical.hostname = 127.0.0.1\n"
                        + "pekko.loglevel = WARNING")
                .withFallback(ConfigFactory.load()));
    var admin = ApiKeys.issue("acme");
    var operator = ApiKeys.issue("acme");
    var viewer = ApiKeys.issue("acme");
    adminKey = TestSecrets.remember(admin.secret());
    operatorKey = TestSecrets.remember(operator.secret());
    viewerKey = TestSecrets.remember(viewer.secret());
    TestSecrets.remember(PLATFORM_KEY);
    KeyCache.Source source =
        (tenantId, keyId) -> {
          KeyRecord key = null;
          boolean exists = TENANTS.contains(tenantId);
          if (keyId == null) {
            return CompletableFuture.completedFuture(
                new Tenant.LookupReply(tenantId, null, null, exists));
          }
          if (keyId.equals(admin.keyId())) {
            key =
                new KeyRecord(
                    keyId, "adm", List.of("admin"), admin.hash(), Instant.EPOCH, null, null);
          } else if (keyId.equals(operator.keyId())) {
            key =
                new KeyRecord(
                    keyId, "op", List.of("operator"), operator.hash(), Instant.EPOCH, null, null);
          } else if (keyId.equals(viewer.keyId())) {
            key =
                new KeyRecord(
                    keyId, "v", List.of("viewer"), viewer.hash(), Instant.EPOCH, null, null);
          }
          return CompletableFuture.completedFuture(
              new Tenant.LookupReply(tenantId, key, null, exists));
        };
    var cache =
        new KeyCache(source, Duration.ofSeconds(2), Duration.ofSeconds(4), System::nanoTime);
    jwt =
        jwtSettings == null ? null : new io.bulwark.http.auth.JwtAuthenticator(jwtSettings, cache);
    var config = system.settings().config();
    protection = Protection.of(config, () -> 1, DatabaseHealth.alwaysUp());
    var routes =
        new ApiRoutes(
            new Authenticator(
                List.of(ApiKeys.hash(PLATFORM_KEY)), cache, java.time.Clock.systemUTC(), jwt),
            new EntityGateway(system, Duration.ofSeconds(1), DatabaseHealth.alwaysUp()),
            new ReadModelQueries(noDatabase(), Runnable::run),
            KeyRevocations.localOnly(cache),
            HttpSettings.fromConfig(config),
            protection,
            audit,
            new AuditReader(
                noDatabase(),
                AuditKeys.of("route-test-audit-key-" + "k".repeat(32)),
                Runnable::run),
            webhooks != null ? webhooks : noWebhooks(),
            new ReadModelOperations(
                new ProjectionDeadLetters(system, noDatabase(), java.util.Map.of()),
                new Reconciliation(system, noDatabase(), Runnable::run, Duration.ofSeconds(1), 1)));
    binding = ApiServer.start(system, routes.route(), "127.0.0.1", 0).toCompletableFuture().get();
  }

  private static WebhookEndpoints noWebhooks() {
    return new WebhookEndpoints(
        noDatabase(),
        new SecretBox(TestSecrets.remember("route-test-webhook-key-" + "w".repeat(32))),
        new TargetPolicy(
            AllowedTargets.none(),
            host -> {
              throw new java.net.UnknownHostException(host);
            }),
        Runnable::run,
        java.time.Clock.systemUTC());
  }

  private static javax.sql.DataSource noDatabase() {
    return (javax.sql.DataSource)
        java.lang.reflect.Proxy.newProxyInstance(
            RouteServer.class.getClassLoader(),
            new Class<?>[] {javax.sql.DataSource.class},
            (proxy, method, args) -> {
              throw new IllegalStateException("route tests never reach the database");
            });
  }

  int port() {
    return binding.localAddress().getPort();
  }

  HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path));
  }

  /**
   * A request of {@code method} with the bearer {@code key} and, when {@code body} is given, that
   * JSON body; callers add what else their case needs before building it.
   */
  HttpRequest.Builder json(String method, String path, String key, String body) {
    var builder = request(path).header("Authorization", "Bearer " + key);
    if (body != null) {
      builder.header("Content-Type", "application/json");
    }
    return builder.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
  }

  java.util.concurrent.CompletableFuture<HttpResponse<String>> sendAsync(HttpRequest request) {
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> send(HttpRequest request) throws Exception {
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  @Override
  public void close() {
    if (jwt != null) {
      jwt.close();
    }
    system.terminate();
  }
}
