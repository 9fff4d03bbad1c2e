package io.bulwark.node;

import io.bulwark.projections.SharedPool;
import io.bulwark.readmodel.ReadModelQueries;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;

/** Readiness check of pekko-management: the shared pool hands out a connection that answers. */
public final class DatabaseReadiness implements Supplier<CompletionStage<Boolean>> {
  private final ReadModelQueries queries;

  public DatabaseReadiness(ActorSystem system) {
    var typed = Adapter.toTyped(system);
    this.queries = ReadModelQueries.create(typed, SharedPool.dataSource(typed));
  }

  @Override
  public CompletionStage<Boolean> get() {
    return queries.ping(Duration.ofSeconds(1)).exceptionally(e -> false);
  }
}
