package io.bulwark.domain.placement;

import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.ShardingMessageExtractor;

/** Pekko's envelope extractor with {@link TenantPlacement}'s shard ids. */
final class TenantShardExtractor<M> extends ShardingMessageExtractor<ShardingEnvelope<M>, M> {
  private final TenantPlacement placement;

  TenantShardExtractor(TenantPlacement placement) {
    this.placement = placement;
  }

  @Override
  public String entityId(ShardingEnvelope<M> envelope) {
    return envelope.entityId();
  }

  @Override
  public String shardId(String entityId) {
    return placement.shardId(entityId);
  }

  @Override
  public M unwrapMessage(ShardingEnvelope<M> envelope) {
    return envelope.message();
  }
}
