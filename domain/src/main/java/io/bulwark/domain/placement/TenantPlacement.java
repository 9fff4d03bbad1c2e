package io.bulwark.domain.placement;

import com.typesafe.config.Config;
import io.bulwark.domain.Ids;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;

/**
 * Where a tenant's entities run (ADR 0017, the third tenancy phase). A tenant listed in {@code
 * bulwark.tenancy.tiers} ("tenant=tier") has its tenant, accounts and transfer sagas in shards of
 * its tier, named {@code <tier>-<n>}, which run only on nodes with the cluster role {@code
 * entities-<tier>}; every other tenant's entities keep the plain shards {@code 0..99}, which run on
 * entities nodes without a tier. The map must be the same on every node (TenancyCompatChecker).
 */
public final class TenantPlacement {
  private static final Pattern TIER = Pattern.compile("^[a-z][a-z0-9]{0,29}$");

  /** The prefix of a tier's node role: {@code entities-gold} hosts the tier {@code gold}. */
  public static final String TIER_ROLE_PREFIX = "entities-";

  private final Map<String, String> tierOfTenant;
  private final int numberOfShards;
  private final int tierShards;

  TenantPlacement(Map<String, String> tierOfTenant, int numberOfShards, int tierShards) {
    this.tierOfTenant = Map.copyOf(tierOfTenant);
    this.numberOfShards = numberOfShards;
    this.tierShards = tierShards;
  }

  public static TenantPlacement fromConfig(Config config) {
    Map<String, String> tiers = new HashMap<>();
    for (String entry : config.getStringList("bulwark.tenancy.tiers")) {
      int eq = entry.indexOf('=');
      String tenant = eq < 0 ? "" : entry.substring(0, eq).strip();
      String tier = eq < 0 ? "" : entry.substring(eq + 1).strip();
      if (!Ids.isValidResourceId(tenant) || !isValidTier(tier)) {
        throw new IllegalArgumentException(
            "bulwark.tenancy.tiers holds '"
                + entry
                + "'; expected tenant=tier with a tier of lower-case letters and digits");
      }
      if (tiers.put(tenant, tier) != null) {
        throw new IllegalArgumentException("bulwark.tenancy.tiers names " + tenant + " twice");
      }
    }
    return new TenantPlacement(
        tiers,
        config.getInt("pekko.cluster.sharding.number-of-shards"),
        config.getInt("bulwark.tenancy.tier-shards"));
  }

  /**
   * {@code entity} with tenant-aware shard ids and the tier allocation strategy. Every entity type
   * whose ids are tenant ids or tenant-scoped ids goes through here.
   */
  public static <M> Entity<M, ShardingEnvelope<M>> place(
      ActorSystem<?> system, Entity<M, ShardingEnvelope<M>> entity) {
    var placement = fromConfig(system.settings().config());
    return entity
        .withMessageExtractor(new TenantShardExtractor<M>(placement))
        .withAllocationStrategy(new TierAllocationStrategy(system));
  }

  public static boolean isValidTier(String tier) {
    return TIER.matcher(tier).matches();
  }

  /** The tenant an entity id belongs to: a tenant's own id, or the part before '/'. */
  static String tenantOf(String entityId) {
    int separator = entityId.indexOf(Ids.SEPARATOR);
    return separator < 0 ? entityId : entityId.substring(0, separator);
  }

  /**
   * The shard of an entity. Untiered tenants hash exactly as Pekko's default extractor does, so the
   * plain shards are what they were before tiers existed.
   */
  public String shardId(String entityId) {
    String tier = tierOfTenant.get(tenantOf(entityId));
    if (tier == null) {
      return Integer.toString(Math.abs(entityId.hashCode() % numberOfShards));
    }
    return tier + "-" + Math.abs(entityId.hashCode() % tierShards);
  }

  /** The tier a shard belongs to; empty for a plain shard. */
  public static Optional<String> tierOfShard(String shardId) {
    int dash = shardId.indexOf('-');
    return dash < 0 ? Optional.empty() : Optional.of(shardId.substring(0, dash));
  }

  public Optional<String> tierOf(String tenantId) {
    return Optional.ofNullable(tierOfTenant.get(tenantId));
  }
}
