package io.bulwark.node;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.ShardRegion.CurrentShardRegionState;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/** What a node's shard region of one entity type runs now: its shards and their entities. */
final class ShardState {
  private ShardState() {}

  static CurrentShardRegionState of(TestNode node, EntityTypeKey<?> type) throws Exception {
    var system = node.node().system();
    return AskPattern.ask(
            ClusterSharding.get(system).shardState(),
            (ActorRef<CurrentShardRegionState> replyTo) -> new GetShardRegionState(type, replyTo),
            Duration.ofSeconds(5),
            system.scheduler())
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  /** The entity ids running on {@code node}, of every tenant. */
  static Set<String> entityIds(TestNode node, EntityTypeKey<?> type) throws Exception {
    return of(node, type).getShards().stream()
        .flatMap(shard -> shard.getEntityIds().stream())
        .collect(Collectors.toSet());
  }
}
