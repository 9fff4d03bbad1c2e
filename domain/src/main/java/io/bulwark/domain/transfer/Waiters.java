package io.bulwark.domain.transfer;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Clients waiting for a saga's outcome, each until its own deadline: then it is told "pending". Not
 * persisted: a waiter lost with its node simply retries with the same Idempotency-Key.
 */
final class Waiters {
  private record Waiter(ActorRef<Outcome> replyTo, boolean replayed) {}

  private final TimerScheduler<Transfer.Command> timers;
  private final Map<Long, Waiter> waiting = new HashMap<>();
  private long nextId;

  Waiters(TimerScheduler<Transfer.Command> timers) {
    this.timers = timers;
  }

  void add(ActorRef<Outcome> replyTo, boolean replayed, Duration maxWait) {
    long id = nextId++;
    waiting.put(id, new Waiter(replyTo, replayed));
    timers.startSingleTimer(id, new Transfer.WaitExpired(id), maxWait);
  }

  /** Answers one waiter whose deadline passed, with the outcome as it stands now. */
  void expire(long id, Function<Boolean, Outcome> outcome) {
    Waiter waiter = waiting.remove(id);
    if (waiter != null) {
      waiter.replyTo().tell(outcome.apply(waiter.replayed()));
    }
  }

  void answerAll(Function<Boolean, Outcome> outcome) {
    waiting.forEach(
        (id, waiter) -> {
          timers.cancel(id);
          waiter.replyTo().tell(outcome.apply(waiter.replayed()));
        });
    waiting.clear();
  }

  boolean isEmpty() {
    return waiting.isEmpty();
  }
}
