package io.bulwark.node;

import io.bulwark.projections.SharedPool;
import io.bulwark.readmodel.ReadModelQueries;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;

/**
 * Readiness check of pekko-management: not ready while the database breaker is open (the probe sees
 * the database down); otherwise the shared pool must hand out a connection that answers.
 */
public final class DatabaseReadiness implements Supplier<CompletionStage<Boolean>> {
  private final ActorSystem system;
  private final ReadModelQueries queries;

  public DatabaseReadiness(ActorSystem system) {
    this.system = system;
    var typed = Adapter.toTyped(system);
    this.queries = ReadModelQueries.create(typed, SharedPool.dataSource(typed));
  }

  @Override
  public CompletionStage<Boolean> get() {
    boolean breakerClosed = DatabaseHealths.of(system).map(h -> h.isUp()).orElse(true);
    if (!breakerClosed) {
      return CompletableFuture.completedFuture(false);
    }
    return queries.ping(Duration.ofSeconds(1)).exceptionally(e -> false);
  }
}
