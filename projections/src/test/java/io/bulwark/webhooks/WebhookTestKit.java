package io.bulwark.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.zaxxer.hikari.HikariDataSource;
import io.bulwark.testing.DatabaseLogin;
import io.bulwark.testing.TestDatabase;
import io.bulwark.testing.TestSecrets;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A {@link WebhookEndpoints} on a fresh database, connected as the node's role (bulwark_app), so
 * that a statement it may not run fails here. Targets: 127.0.0.1 only, and no name resolves, so
 * nothing is ever looked up or connected to.
 */
final class WebhookTestKit implements AutoCloseable {
  final TestDatabase db = TestDatabase.create();
  final SecretBox box = new SecretBox(TestSecrets.remember("webhook-test-key-" + "w".repeat(32)));
  final TestClock clock = new TestClock();
  final WebhookEndpoints webhooks;
  final io.bulwark.testing.WebhookTables tables;
  final io.bulwark.testing.Sql sql;

  private final HikariDataSource app;
  private final ExecutorService blocking = Executors.newFixedThreadPool(2);

  WebhookTestKit() {
    app = DatabaseLogin.create(db, "webhooks", "bulwark_app").pool(db);
    webhooks = new WebhookEndpoints(app, box, targets(), blocking, clock);
    tables = new io.bulwark.testing.WebhookTables(db.dataSource());
    sql = new io.bulwark.testing.Sql(db.dataSource());
  }

  static TargetPolicy targets() {
    return new TargetPolicy(
        AllowedTargets.parse("127.0.0.1/32"),
        host -> {
          throw new UnknownHostException(host);
        });
  }

  static <T> T await(CompletionStage<T> stage) throws Exception {
    try {
      return stage.toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
  }

  static WebhookRefusedException refused(
      WebhookRefusedException.Reason reason, CompletionStage<?> stage) {
    var e = assertThrows(WebhookRefusedException.class, () -> await(stage));
    assertEquals(reason, e.reason(), e.getMessage());
    return e;
  }

  @Override
  public void close() {
    blocking.shutdownNow();
    app.close();
    db.close();
  }

  /** The time the code under test reads; PostgreSQL keeps microseconds, so it has no more. */
  static final class TestClock extends Clock {
    private volatile Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);

    void advance(java.time.Duration by) {
      now = now.plus(by);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
