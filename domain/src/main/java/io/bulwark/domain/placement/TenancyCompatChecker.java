package io.bulwark.domain.placement;

import com.typesafe.config.Config;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.pekko.cluster.ConfigValidation;
import org.apache.pekko.cluster.Invalid;
import org.apache.pekko.cluster.JoinConfigCompatChecker;
import org.apache.pekko.cluster.Valid$;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Refuses a node whose tenant tiers differ from the cluster's. Tiers decide an entity's shard id,
 * so two nodes that disagree would route one account to two shards, and it could run twice. A
 * tenant therefore changes tier by restarting the whole cluster with the new map (ADR 0017).
 */
public final class TenancyCompatChecker extends JoinConfigCompatChecker {
  private static final String TIERS = "bulwark.tenancy.tiers";
  private static final String TIER_SHARDS = "bulwark.tenancy.tier-shards";

  @Override
  public scala.collection.immutable.Seq<String> requiredKeys() {
    return CollectionConverters.asScala(List.of(TIERS, TIER_SHARDS)).toList();
  }

  @Override
  public ConfigValidation check(Config toCheck, Config actualConfig) {
    Set<String> joining = tiers(toCheck);
    Set<String> running = tiers(actualConfig);
    boolean sameShards =
        toCheck.hasPath(TIER_SHARDS)
            && actualConfig.hasPath(TIER_SHARDS)
            && toCheck.getInt(TIER_SHARDS) == actualConfig.getInt(TIER_SHARDS);
    if (joining.equals(running) && sameShards) {
      return Valid$.MODULE$;
    }
    return new Invalid(
        CollectionConverters.asScala(
                List.of(
                    TIERS
                        + " "
                        + joining
                        + " or "
                        + TIER_SHARDS
                        + " differ from the cluster's "
                        + running
                        + ": change tiers with a full restart"))
            .toList());
  }

  private static Set<String> tiers(Config config) {
    return config.hasPath(TIERS) ? new HashSet<>(config.getStringList(TIERS)) : Set.of();
  }
}
