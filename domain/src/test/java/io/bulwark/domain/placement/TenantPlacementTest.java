package io.bulwark.domain.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.bulwark.domain.Ids;
import java.util.Optional;
import org.apache.pekko.cluster.Invalid;
import org.apache.pekko.cluster.Valid$;
import org.apache.pekko.cluster.sharding.typed.HashCodeMessageExtractor;
import org.junit.jupiter.api.Test;

class TenantPlacementTest {
  private static Config config(String tiers) {
    return ConfigFactory.parseString("bulwark.tenancy.tiers = " + tiers)
        .withFallback(ConfigFactory.load());
  }

  @Test
  void untieredTenantsKeepPekkosDefaultShards() {
    Config config = config("[\"vip=gold\"]");
    var placement = TenantPlacement.fromConfig(config);
    var pekko =
        new HashCodeMessageExtractor<Object>(
            config.getInt("pekko.cluster.sharding.number-of-shards"));
    for (int i = 0; i < 2_000; i++) {
      String account = Ids.scoped("tenant-" + (i % 37), "acc-" + i);
      assertEquals(pekko.shardId(account), placement.shardId(account), account);
      assertEquals(pekko.shardId("tenant-" + i), placement.shardId("tenant-" + i));
    }
  }

  @Test
  void aTieredTenantsEntitiesAllLiveInItsTiersShards() {
    var placement = TenantPlacement.fromConfig(config("[\"vip=gold\", \"big.co=silver\"]"));
    for (String id :
        new String[] {"vip", Ids.scoped("vip", "acc-1"), Ids.scoped("vip", "rent|2026-11")}) {
      String shard = placement.shardId(id);
      assertTrue(shard.matches("gold-[0-9]{1,2}"), shard);
      assertEquals(Optional.of("gold"), TenantPlacement.tierOfShard(shard));
      assertTrue(Integer.parseInt(shard.substring(5)) < 32);
    }
    assertEquals(Optional.of("silver"), TenantPlacement.tierOfShard(placement.shardId("big.co")));
    assertEquals(Optional.empty(), TenantPlacement.tierOfShard(placement.shardId("vip2")));
    assertEquals(Optional.of("gold"), placement.tierOf("vip"));
  }

  @Test
  void aBadTierMapIsRefusedNamingTheEntry() {
    for (String bad :
        new String[] {"[\"vip\"]", "[\"vip=Gold\"]", "[\"=gold\"]", "[\"vip=go-ld\"]"}) {
      var error =
          assertThrows(
              IllegalArgumentException.class, () -> TenantPlacement.fromConfig(config(bad)));
      assertTrue(error.getMessage().contains("tenant=tier"), error.getMessage());
    }
    var twice =
        assertThrows(
            IllegalArgumentException.class,
            () -> TenantPlacement.fromConfig(config("[\"vip=gold\", \"vip=silver\"]")));
    assertTrue(twice.getMessage().contains("vip twice"), twice.getMessage());
  }

  @Test
  void aNodeJoinsOnlyWithTheClustersTierMap() {
    var checker = new TenancyCompatChecker();
    assertEquals(
        Valid$.MODULE$,
        checker.check(config("[\"a=gold\", \"b=gold\"]"), config("[\"b=gold\", \"a=gold\"]")),
        "the order of entries does not matter");
    var refused = checker.check(config("[\"a=gold\"]"), config("[\"a=silver\"]"));
    assertInstanceOf(Invalid.class, refused);
    assertTrue(refused.toString().contains("full restart"), refused.toString());
    assertInstanceOf(Invalid.class, checker.check(config("[]"), config("[\"a=gold\"]")));
  }
}
