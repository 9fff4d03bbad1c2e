package io.bulwark.readmodel;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.bulwark.testing.TestDatabase;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The breakers against a database that is there and one that is not (a port nobody listens on): the
 * probe tells them apart, failed queries open the query breaker, and then queries are refused
 * without being sent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QueryBreakerTest {
  private final ActorTestKit kit = ActorTestKit.create();
  private final BreakerSettings settings =
      new BreakerSettings(
          Duration.ofMillis(50),
          Duration.ofSeconds(1),
          3,
          Duration.ofSeconds(2),
          Duration.ofSeconds(30),
          Duration.ofSeconds(60));

  @AfterAll
  void stop() {
    kit.shutdownTestKit();
  }

  private static int closedPort() throws Exception {
    try (var socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static Throwable failure(java.util.concurrent.CompletionStage<?> stage) {
    try {
      stage.toCompletableFuture().join();
      throw new AssertionError("expected a failure");
    } catch (CompletionException e) {
      return e.getCause();
    }
  }

  @Test
  void theProbeSeesADatabaseThatAnswersAndOneThatDoesNot() throws Exception {
    try (var db = TestDatabase.create();
        var up =
            DatabaseHealth.start(
                db.url(), db.user(), db.password(), Duration.ofMillis(50), Duration.ofSeconds(1));
        var down =
            DatabaseHealth.start(
                "jdbc:postgresql://127.0.0.1:" + closedPort() + "/none",
                "nobody",
                "x",
                Duration.ofMillis(50),
                Duration.ofSeconds(1))) {
      Thread.sleep(500);
      assertTrue(up.isUp());
      assertFalse(down.isUp());
    }
  }

  @Test
  void failedQueriesOpenTheBreakerAndThenNothingIsSent() throws Exception {
    var config = new HikariConfig();
    config.setJdbcUrl("jdbc:postgresql://127.0.0.1:" + closedPort() + "/none");
    config.setUsername("nobody");
    config.setConnectionTimeout(250);
    config.setInitializationFailTimeout(-1);
    try (var pool = new HikariDataSource(config)) {
      var breaker = QueryBreaker.create(kit.system(), DatabaseHealth.alwaysUp(), settings);
      var queries = new ReadModelQueries(pool, Executors.newFixedThreadPool(2), breaker);
      // The breaker counts a failure just after the caller sees it, so the loop may send one more.
      int sent = 0;
      Throwable last = null;
      while (!(last instanceof DependencyUnavailableException) && sent < 10) {
        last = failure(queries.listAccounts("acme", 10, null));
        if (!(last instanceof DependencyUnavailableException)) {
          assertInstanceOf(java.sql.SQLException.class, last);
          sent++;
        }
      }
      assertTrue(breaker.isOpen(), "open after " + sent + " failed queries");
      assertTrue(sent >= 3 && sent <= 4, "at max-failures: " + sent);
      long start = System.nanoTime();
      assertInstanceOf(
          DependencyUnavailableException.class, failure(queries.listAccounts("acme", 10, null)));
      assertTrue(System.nanoTime() - start < 100_000_000L, "refused without waiting");
    }
  }

  @Test
  void aQueryWhoseDeadlineHasPassedIsNotSent() {
    var queries =
        new ReadModelQueries(
            TestDatabase.create().dataSource(), Runnable::run, QueryBreaker.none());
    assertInstanceOf(
        QueryDeadlineException.class,
        failure(queries.within(Duration.ZERO).listAccounts("acme", 10, null)));
  }

  @Test
  void connectionFailuresAreToldFromOtherErrors() {
    assertTrue(
        DatabaseHealth.isConnectionFailure(
            new CompletionException(new java.sql.SQLException("gone", "08006"))));
    assertTrue(
        DatabaseHealth.isConnectionFailure(
            new java.sql.SQLException("terminating connection", "57P01")));
    assertFalse(
        DatabaseHealth.isConnectionFailure(new java.sql.SQLException("syntax error", "42601")));
  }
}
