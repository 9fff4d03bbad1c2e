package io.bulwark.webhooks;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.apache.pekko.actor.Scheduler;
import org.apache.pekko.pattern.CircuitBreaker;

/**
 * A circuit breaker per endpoint, on this node: after {@code failures} failed attempts in a row the
 * endpoint gets no attempt for {@code openFor} (doubling up to {@code maxOpenFor} while it keeps
 * failing), then one trial. While open its deliveries are not claimed, so they spend no attempts of
 * their schedule and take no slots from healthy endpoints.
 */
final class EndpointBreakers {
  enum Admission {
    CLOSED,
    TRIAL,
    OPEN
  }

  private final Scheduler scheduler;
  private final int failures;
  private final Duration openFor;
  private final Duration maxOpenFor;
  private final Consumer<String> onOpen;
  private final ConcurrentHashMap<String, CircuitBreaker> breakers = new ConcurrentHashMap<>();

  EndpointBreakers(
      Scheduler scheduler,
      int failures,
      Duration openFor,
      Duration maxOpenFor,
      Consumer<String> onOpen) {
    this.scheduler = scheduler;
    this.failures = failures;
    this.openFor = openFor;
    this.maxOpenFor = maxOpenFor;
    this.onOpen = onOpen;
  }

  Admission admission(String endpointKey) {
    var breaker = breakers.get(endpointKey);
    if (breaker == null || breaker.isClosed()) {
      return Admission.CLOSED;
    }
    return breaker.isHalfOpen() ? Admission.TRIAL : Admission.OPEN;
  }

  void succeeded(String endpointKey) {
    var breaker = breakers.get(endpointKey);
    if (breaker != null) {
      breaker.succeed();
    }
  }

  void failed(String endpointKey) {
    breakers.computeIfAbsent(endpointKey, this::create).fail();
  }

  private CircuitBreaker create(String endpointKey) {
    // the call timeout is unused: attempts report their own outcome through succeed/fail
    return CircuitBreaker.create(scheduler, failures, Duration.ofMinutes(1), openFor)
        .withExponentialBackoff(maxOpenFor)
        .addOnOpenListener(() -> onOpen.accept(endpointKey));
  }
}
