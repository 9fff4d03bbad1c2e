package io.bulwark.webhooks;

import com.typesafe.config.ConfigFactory;
import io.bulwark.domain.placement.TenantPlacement;
import io.bulwark.domain.transfer.Transfer;
import io.bulwark.testing.LoopbackReceiver;
import io.bulwark.testing.Sql;
import io.bulwark.testing.TestDatabase;
import java.net.InetAddress;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * A real database, an actor system and a dispatcher sending to loopback receivers. Endpoints are
 * rows written here directly (registration has its own tests); messages go through the outbox
 * writer the projection uses. Names resolve through {@link #dns}, never through a DNS server.
 */
final class DispatchFixture implements AutoCloseable {
  static final String KEY = "dispatch-test-webhook-key-" + "k".repeat(32);

  final TestDatabase db = TestDatabase.create();
  final Sql sql = new Sql(db.dataSource());
  final SecretBox box = new SecretBox(KEY);
  final Map<String, List<InetAddress>> dns = new HashMap<>();
  final ActorSystem<Void> system;
  final WebhookDispatcher dispatcher;
  private final AtomicLong ordering = new AtomicLong();

  record Endpoint(String tenantId, String id, byte[] secret) {}

  /** {@code hocon} is laid over bulwark.webhooks' defaults, e.g. a short retry schedule. */
  DispatchFixture(String hocon, String allowedTargets) {
    var config =
        ConfigFactory.parseString(
                hocon
                    + "\npekko.loglevel = WARNING\n"
                    + "pekko.http.host-connection-pool.max-open-requests = 64")
            .withFallback(ConfigFactory.load())
            .resolve();
    system = ActorSystem.create(Behaviors.empty(), "dispatch", config);
    var targets = new TargetPolicy(AllowedTargets.parse(allowedTargets), FakeDns.resolver(dns));
    dispatcher =
        WebhookDispatcher.start(
            system,
            db.dataSource(),
            targets,
            box,
            WebhookSettings.fromConfig(config),
            TenantPlacement.fromConfig(config),
            List.of());
  }

  Endpoint endpoint(String tenantId, String url) throws SQLException {
    byte[] secret = WebhookSecrets.generate();
    String id = "we_" + UUID.randomUUID().toString().replace("-", "").substring(0, 24);
    sql.update(
        "INSERT INTO webhook_endpoints (tenant_id, endpoint_id, url, events, secret, created_at,"
            + " updated_at) VALUES (?, ?, ?, ARRAY['transfer.completed','transfer.rejected',"
            + "'account.created'], ?, now(), now())",
        tenantId,
        id,
        url,
        box.seal(secret));
    return new Endpoint(tenantId, id, secret);
  }

  /** One completed transfer per entry of {@code accounts}, in that order; their messages. */
  List<WebhookMessage> publish(String tenantId, List<String> accounts) throws Exception {
    var messages = new ArrayList<WebhookMessage>();
    for (String account : accounts) {
      long n = ordering.incrementAndGet();
      var event =
          new Transfer.TransferCompleted(
              tenantId,
              "t" + n,
              account,
              "sink",
              n,
              "EUR",
              Instant.now(),
              "req-" + n,
              "0af7651916cd43dd8448eb211c80319c");
      messages.add(WebhookMessage.of(event, "Transfer|" + tenantId + "/t" + n, 3, n).orElseThrow());
    }
    try (var c = db.dataSource().getConnection()) {
      c.setAutoCommit(false);
      WebhookProjectionHandler.OutboxWriter.write(c, messages);
      c.commit();
    }
    return messages;
  }

  long count(String where, Object... params) throws SQLException {
    return sql.count("SELECT count(*) FROM webhook_deliveries WHERE " + where, params);
  }

  /** Verifies a received request with the Standard Webhooks library, not our own code. */
  static void verify(LoopbackReceiver.Received r, byte[] secret) throws Exception {
    new com.standardwebhooks.Webhook(WebhookSecrets.format(secret)).verify(r.body(), r.headers());
  }

  static Duration seconds(long n) {
    return Duration.ofSeconds(n);
  }

  @Override
  public void close() {
    dispatcher.close();
    system.terminate();
    db.close();
  }
}
