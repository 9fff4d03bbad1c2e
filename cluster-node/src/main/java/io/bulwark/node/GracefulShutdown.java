package io.bulwark.node;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.pattern.Patterns;

/**
 * Leaving without failing a request: when coordinated shutdown starts (SIGTERM, or the node being
 * downed), readiness turns false at once, and the node keeps serving for {@code
 * bulwark.shutdown.unready-delay} so that load balancers and Kubernetes endpoints stop sending it
 * traffic before it unbinds. Then the API unbinds, in-flight requests finish (ApiServer), shards
 * hand off, and the node leaves the cluster; each phase is bounded by its pekko timeout.
 */
public final class GracefulShutdown implements Supplier<CompletionStage<Boolean>> {
  private final ActorSystem system;

  /** A readiness check of pekko-management: not ready once shutdown has begun. */
  public GracefulShutdown(ActorSystem system) {
    this.system = system;
  }

  @Override
  public CompletionStage<Boolean> get() {
    return CompletableFuture.completedFuture(
        CoordinatedShutdown.get(system).getShutdownReason().isEmpty());
  }

  /** Adds the wait between readiness turning false and the API unbinding. */
  static void register(org.apache.pekko.actor.typed.ActorSystem<?> typed) {
    Duration delay = typed.settings().config().getDuration("bulwark.shutdown.unready-delay");
    ActorSystem system = typed.classicSystem();
    CoordinatedShutdown.get(system)
        .addTask(
            CoordinatedShutdown.PhaseBeforeServiceUnbind(),
            "bulwark-unready-delay",
            () ->
                Patterns.after(
                    delay,
                    system.scheduler(),
                    system.dispatcher(),
                    () -> CompletableFuture.completedFuture(Done.getInstance())));
  }
}
