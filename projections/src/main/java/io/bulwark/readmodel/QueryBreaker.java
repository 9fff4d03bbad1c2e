package io.bulwark.readmodel;

import io.bulwark.domain.Stages;
import java.sql.SQLException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.pattern.CircuitBreaker;
import org.apache.pekko.pattern.CircuitBreakerOpenException;

/**
 * The breaker in front of the read-model queries: refuses at once while the database is down
 * ({@link DatabaseHealth}), and opens by itself after {@code maxFailures} failed or slow queries in
 * a row (Pekko's {@link CircuitBreaker}, half-open after a backoff that doubles up to a maximum).
 * Refusals are {@link DependencyUnavailableException}.
 */
public final class QueryBreaker {
  private final DatabaseHealth health;
  private final CircuitBreaker breaker;

  private QueryBreaker(DatabaseHealth health, CircuitBreaker breaker) {
    this.health = health;
    this.breaker = breaker;
  }

  /** No breaker at all, for tests of the queries themselves. */
  public static QueryBreaker none() {
    return new QueryBreaker(DatabaseHealth.alwaysUp(), null);
  }

  public static QueryBreaker create(
      ActorSystem<?> system, DatabaseHealth health, BreakerSettings settings) {
    var breaker =
        CircuitBreaker.create(
                system.classicSystem().scheduler(),
                settings.maxFailures(),
                settings.callTimeout(),
                settings.resetTimeout())
            .withExponentialBackoff(settings.maxResetTimeout());
    return new QueryBreaker(health, breaker);
  }

  public DatabaseHealth health() {
    return health;
  }

  /** Whether a query would now be refused without being sent. */
  public boolean isOpen() {
    return !health.isUp() || (breaker != null && breaker.isOpen());
  }

  <T> CompletionStage<T> call(Supplier<CompletableFuture<T>> query) {
    if (!health.isUp()) {
      return CompletableFuture.failedFuture(unavailable());
    }
    CompletionStage<T> result =
        breaker == null
            ? query.get()
            : Stages.direct(breaker.callWithCircuitBreakerCS(query::get, QueryBreaker::counts));
    return Stages.direct(result)
        .handle(
            (value, error) -> {
              if (error == null) {
                return CompletableFuture.completedFuture(value);
              }
              health.reportFailure(error);
              Throwable cause = unwrap(error);
              return CompletableFuture.<T>failedFuture(
                  cause instanceof CircuitBreakerOpenException ? unavailable() : cause);
            })
        .thenCompose(f -> f);
  }

  /** Database failures and timeouts count; a spent deadline or a bad cursor does not. */
  private static <T> Boolean counts(Optional<T> value, Optional<Throwable> error) {
    if (error.isEmpty()) {
      return false;
    }
    Throwable cause = unwrap(error.get());
    return cause instanceof SQLException || cause instanceof TimeoutException;
  }

  private static Throwable unwrap(Throwable error) {
    Throwable e = error;
    while (e instanceof java.util.concurrent.CompletionException && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  private static DependencyUnavailableException unavailable() {
    return new DependencyUnavailableException("The database is unavailable.");
  }
}
