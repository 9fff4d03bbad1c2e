package io.bulwark.domain.placement;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.ShardCoordinator;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.collection.immutable.IndexedSeq;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;
import scala.jdk.javaapi.FutureConverters;

/**
 * Shard allocation by tier (ADR 0017). A tier's shards ({@code gold-7}) go to regions on nodes with
 * the role {@code entities-gold}; plain shards to entities nodes without a tier role. Within each
 * pool, the default strategy decides (least shards, newest app-version first during a rolling
 * update), so this only narrows its choice. A shard found on the wrong pool, after the tier map
 * changed or after a fallback, is handed back by rebalance. When no node of a pool is up, its
 * shards go anywhere: a tenant's dedicated nodes being down must not take the tenant offline.
 */
final class TierAllocationStrategy implements ShardCoordinator.StartableAllocationStrategy {
  private static final Logger log = LoggerFactory.getLogger(TierAllocationStrategy.class);

  /** Misplaced shards handed back per rebalance round (every 10 s by default). */
  private static final int MISPLACED_PER_ROUND = 10;

  private final ActorSystem<?> system;
  private final ShardCoordinator.ShardAllocationStrategy pool;
  private volatile Cluster cluster;

  TierAllocationStrategy(ActorSystem<?> system) {
    this.system = system;
    this.pool =
        ClusterSharding.get(system)
            .defaultShardAllocationStrategy(ClusterShardingSettings.create(system));
  }

  @Override
  public void start() {
    cluster = Cluster.get(system.classicSystem());
    if (pool instanceof ShardCoordinator.ActorSystemDependentAllocationStrategy dependent) {
      dependent.start(system.classicSystem());
    } else if (pool instanceof ShardCoordinator.StartableAllocationStrategy startable) {
      startable.start();
    }
  }

  @Override
  public Future<ActorRef> allocateShard(
      ActorRef requester,
      String shardId,
      scala.collection.immutable.Map<ActorRef, IndexedSeq<String>> current) {
    Optional<String> tier = TenantPlacement.tierOfShard(shardId);
    Map<ActorRef, IndexedSeq<String>> candidates = new LinkedHashMap<>();
    CollectionConverters.asJava(current)
        .forEach(
            (region, shards) -> {
              if (serves(region, tier)) {
                candidates.put(region, shards);
              }
            });
    if (candidates.isEmpty()) {
      log.warn(
          "No entities node of {} is up; shard {} runs on another entities node until one is",
          tier.map(t -> "tier " + t).orElse("the shared pool"),
          shardId);
      return pool.allocateShard(requester, shardId, current);
    }
    return pool.allocateShard(requester, shardId, toScala(candidates));
  }

  @Override
  public Future<scala.collection.immutable.Set<String>> rebalance(
      scala.collection.immutable.Map<ActorRef, IndexedSeq<String>> current,
      scala.collection.immutable.Set<String> inProgress) {
    Map<ActorRef, IndexedSeq<String>> allocations = CollectionConverters.asJava(current);
    if (!settled(allocations)) {
      // A region whose node is down, leaving or already removed would never complete a hand-off:
      // the shard would stay blocked until the coordinator gives up on it (a minute), which a
      // failover test saw. Pekko's own strategy waits for a settled cluster too.
      return Future.successful(toScalaSet(Set.of()));
    }
    Set<String> busy = CollectionConverters.asJava(inProgress);
    Set<String> misplaced = new HashSet<>();
    allocations.forEach(
        (region, shards) -> {
          for (String shard : CollectionConverters.asJava(shards)) {
            Optional<String> tier = TenantPlacement.tierOfShard(shard);
            if (misplaced.size() < MISPLACED_PER_ROUND
                && !busy.contains(shard)
                && !serves(region, tier)
                && allocations.keySet().stream().anyMatch(r -> serves(r, tier))) {
              misplaced.add(shard);
            }
          }
        });
    if (!misplaced.isEmpty()) {
      log.info("Handing {} shards back to their tier's nodes: {}", misplaced.size(), misplaced);
      return Future.successful(toScalaSet(misplaced));
    }
    // Balance each pool on its own: the default strategy would otherwise move a tier's shard
    // towards a node of another pool because it has fewer shards.
    CompletionStage<Set<String>> all = CompletableFuture.completedFuture(new HashSet<>());
    for (Optional<String> tier : pools(allocations)) {
      Map<ActorRef, IndexedSeq<String>> ofPool = new LinkedHashMap<>();
      allocations.forEach(
          (region, shards) -> {
            if (serves(region, tier)) {
              List<String> own = new ArrayList<>();
              for (String shard : CollectionConverters.asJava(shards)) {
                if (TenantPlacement.tierOfShard(shard).equals(tier)) {
                  own.add(shard);
                }
              }
              ofPool.put(region, toScalaSeq(own));
            }
          });
      if (ofPool.size() > 1) {
        var moves = FutureConverters.asJava(pool.rebalance(toScala(ofPool), inProgress));
        all =
            all.thenCombine(
                moves,
                (acc, more) -> {
                  acc.addAll(CollectionConverters.asJava(more));
                  return acc;
                });
      }
    }
    return FutureConverters.asScala(all.thenApply(TierAllocationStrategy::toScalaSet));
  }

  /** No member unreachable, and every region's node known and Up. */
  private boolean settled(Map<ActorRef, IndexedSeq<String>> allocations) {
    if (!cluster.state().getUnreachable().isEmpty()) {
      return false;
    }
    for (ActorRef region : allocations.keySet()) {
      Member member = memberOf(region);
      if (member == null || member.status() != MemberStatus.up()) {
        return false;
      }
    }
    return true;
  }

  /** The pools the regions form: the shared one (empty) and one per tier role present. */
  private Set<Optional<String>> pools(Map<ActorRef, IndexedSeq<String>> allocations) {
    Set<Optional<String>> pools = new HashSet<>();
    pools.add(Optional.empty());
    allocations.keySet().forEach(region -> tiersOf(region).forEach(t -> pools.add(Optional.of(t))));
    return pools;
  }

  /** Whether the region's node hosts shards of {@code tier} (empty: the shared pool). */
  private boolean serves(ActorRef region, Optional<String> tier) {
    Member member = memberOf(region);
    if (member == null) {
      return false;
    }
    Set<String> tiers = tiersOf(member);
    return tier.map(tiers::contains).orElse(tiers.isEmpty());
  }

  private Set<String> tiersOf(ActorRef region) {
    Member member = memberOf(region);
    return member == null ? Set.of() : tiersOf(member);
  }

  private static Set<String> tiersOf(Member member) {
    Set<String> tiers = new HashSet<>();
    for (String role : member.getRoles()) {
      if (role.startsWith(TenantPlacement.TIER_ROLE_PREFIX)) {
        tiers.add(role.substring(TenantPlacement.TIER_ROLE_PREFIX.length()));
      }
    }
    return tiers;
  }

  private Member memberOf(ActorRef region) {
    Address address = region.path().address();
    if (address.hasLocalScope()) {
      return cluster.selfMember();
    }
    for (Member member : cluster.state().getMembers()) {
      if (member.address().equals(address)) {
        return member;
      }
    }
    return null;
  }

  private static scala.collection.immutable.Map<ActorRef, IndexedSeq<String>> toScala(
      Map<ActorRef, IndexedSeq<String>> map) {
    return scala.collection.immutable.Map$.MODULE$.from(CollectionConverters.asScala(map));
  }

  private static IndexedSeq<String> toScalaSeq(List<String> shards) {
    return scala.collection.immutable.Vector$.MODULE$.from(CollectionConverters.asScala(shards));
  }

  private static scala.collection.immutable.Set<String> toScalaSet(Set<String> shards) {
    return scala.collection.immutable.Set$.MODULE$.from(CollectionConverters.asScala(shards));
  }
}
