package io.bulwark.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.domain.Slices;
import io.bulwark.testing.Eventually;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Phase 2 by configuration, on four node processes started as {@link LocalCluster} starts them:
 * {@code api}, {@code entities,projections}, {@code entities} and {@code entities-gold}, with the
 * tenant "vip" in the tier gold. One cluster; the api node serves the whole API through sharding
 * proxies; shared tenants' entities spread over the two shared entities nodes; vip's live only on
 * the gold node; projection slices only on the projections node.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NodeRolesTest {
  private static final int ACCOUNTS = 24;
  private static final Map<String, String> ENV = Map.of("BULWARK_TENANT_TIERS", "vip=gold");

  private ProcessCluster cluster;
  private String platformKey;
  private List<NodeProcess> nodes;
  private NodeProcess api;
  private NodeProcess entitiesAndProjections;
  private NodeProcess entitiesOnly;
  private NodeProcess gold;
  private Ledger ledger;

  @BeforeAll
  void start() throws Exception {
    cluster =
        ProcessCluster.start(
            List.of("api", "entities,projections", "entities", "entities-gold"), ENV);
    platformKey = cluster.platformKey;
    nodes = cluster.nodes;
    api = nodes.get(0);
    entitiesAndProjections = nodes.get(1);
    entitiesOnly = nodes.get(2);
    gold = nodes.get(3);
    ledger = new Ledger(new ApiClient(api.baseUrl(), new OpenApiContract()), platformKey);
  }

  @AfterAll
  void stop() throws Exception {
    cluster.close();
  }

  @Test
  @Order(1)
  void anApiOnlyNodeServesTheWholeApiThroughProxiesToTheEntitiesNodes() throws Exception {
    for (NodeProcess node : nodes) {
      var view = new ClusterView(node);
      Eventually.await(
          Duration.ofSeconds(30),
          () -> {
            assertEquals(4, view.statuses().size(), view.members().toString());
            assertTrue(view.statuses().values().stream().allMatch("Up"::equals));
          });
      assertEquals(Set.of("api"), view.roles(api.clusterPort));
      assertEquals(
          Set.of("entities", "projections"), view.roles(entitiesAndProjections.clusterPort));
      assertEquals(Set.of("entities"), view.roles(entitiesOnly.clusterPort));
      assertEquals(Set.of("entities", "entities-gold"), view.roles(gold.clusterPort));
    }

    String admin = ledger.tenantWithAdmin("shared");
    ledger.account("shared", admin, "bank", "EUR", null);
    for (int i = 0; i < ACCOUNTS; i++) {
      ledger.account("shared", admin, "acc-" + i, "EUR", 0L);
      var transfer =
          ledger.transfer("shared", admin, "fund-" + i, "bank", "acc-" + i, 100 + i, "EUR");
      assertEquals(201, transfer.status(), transfer.body());
    }
    assertEquals(105, ledger.balance("shared", admin, "acc-5"));
    // The read model, built by the projections node, answers the api node's list endpoint.
    Eventually.await(
        Duration.ofSeconds(30),
        () -> {
          var entries =
              ledger.api.send(
                  ApiClient.get("/v1/tenants/shared/accounts/acc-7/entries").key(admin));
          assertEquals(200, entries.status(), entries.body());
          assertEquals(1, entries.json().get("items").size(), entries.body());
        });

    var onBoth = new ClusterView(entitiesAndProjections);
    var onEntities = new ClusterView(entitiesOnly);
    assertEquals(0, new ClusterView(api).entities("Account"), "the api node hosts no account");
    assertTrue(onBoth.entities("Account") > 0, "accounts run on the entities+projections node");
    assertTrue(onEntities.entities("Account") > 0, "accounts run on the entities node");
    assertEquals(
        ACCOUNTS + 1,
        onBoth.entities("Account") + onEntities.entities("Account"),
        "every shared account runs on exactly one shared entities node");

    String slices = "sharded-daemon-process-" + io.bulwark.projections.LedgerProjection.DAEMON_NAME;
    Eventually.await(
        Duration.ofSeconds(30),
        () -> assertEquals(Slices.COUNT, onBoth.entities(slices), "every slice there"));
    for (NodeProcess other : List.of(api, entitiesOnly, gold)) {
      assertEquals(0, new ClusterView(other).entities(slices), "no slice elsewhere");
    }
    for (NodeProcess other : List.of(entitiesAndProjections, entitiesOnly, gold)) {
      assertEquals(-1, NodeProcess.status(other.baseUrl() + "/v1/tenants"), "no HTTP API");
    }
  }

  @Test
  @Order(2)
  void aTieredTenantsEntitiesLiveOnlyOnItsTiersNodes() throws Exception {
    String admin = ledger.tenantWithAdmin("vip");
    ledger.account("vip", admin, "treasury", "EUR", null);
    for (int i = 0; i < 12; i++) {
      ledger.account("vip", admin, "acc-" + i, "EUR", 0L);
      var moved = ledger.transfer("vip", admin, "vip-" + i, "treasury", "acc-" + i, 50, "EUR");
      assertEquals(201, moved.status(), moved.body());
    }
    var onGold = new ClusterView(gold);
    assertEquals(13, onGold.entities("Account"), "all vip accounts on the gold node");
    assertEquals(1, onGold.entities("Tenant"), "the vip tenant on the gold node");
    assertTrue(onGold.entities("Transfer") >= 12, "vip's sagas on the gold node");
    for (String type : List.of("Account", "Tenant", "Transfer")) {
      assertTrue(
          onGold.shards(type).keySet().stream().allMatch(s -> s.startsWith("gold-")),
          "only gold shards on the gold node: " + onGold.shards(type).keySet());
      for (NodeProcess shared : List.of(entitiesAndProjections, entitiesOnly)) {
        Set<String> goldThere =
            new ClusterView(shared)
                .shards(type).keySet().stream()
                    .filter(s -> s.startsWith("gold-"))
                    .collect(Collectors.toSet());
        assertEquals(Set.of(), goldThere, "no gold shard on a shared node");
      }
    }
  }

  @Test
  @Order(3)
  void aNodeWithAnotherTierMapIsRefused() throws Exception {
    try (var other =
        entitiesOnly.another(
            "other-tiers",
            Map.of("BULWARK_TENANT_TIERS", "vip=silver", "BULWARK_ROLES", "entities"))) {
      Eventually.await(
          Duration.ofSeconds(90),
          () -> {
            assertTrue(
                other.logLines().stream()
                    .anyMatch(l -> l.contains("incompatible cluster configuration")),
                "the joining node is told it is incompatible");
            assertTrue(
                api.logLines().stream()
                    .anyMatch(l -> l.contains("bulwark.tenancy.tiers [vip=silver]")),
                "the cluster names the setting that differs");
          });
      assertEquals(4, new ClusterView(api).statuses().size(), "the cluster kept its 4 nodes");
      assertTrue(NodeProcess.status(other.managementUrl() + "/ready") != 200, "never ready");
    }
  }

  @Test
  @Order(4)
  void withoutItsTierNodeAVipAccountRunsElsewhereAndReturnsWhenTheNodeIsBack() throws Exception {
    int exit = gold.terminate(Duration.ofSeconds(60));
    assertTrue(exit != -1, "the gold node left by itself");
    String admin = ledger.key("vip", platformKey, "admin");
    // Availability before isolation: vip is served by the shared nodes meanwhile.
    Eventually.await(
        Duration.ofSeconds(60), () -> assertEquals(50, ledger.balance("vip", admin, "acc-3")));
    NodeProcess back = gold.restarted(Map.of());
    nodes.set(3, back);
    back.awaitReady();
    var onGold = new ClusterView(back);
    // The allocation strategy's rebalance hands vip's shards back (every 10 s).
    Eventually.await(
        Duration.ofSeconds(60),
        () -> {
          ledger.balance("vip", admin, "acc-3");
          assertTrue(onGold.entities("Account") >= 1, "vip's account is back on the gold node");
        });
    Eventually.await(
        Duration.ofSeconds(60),
        () -> {
          for (NodeProcess shared : List.of(entitiesAndProjections, entitiesOnly)) {
            assertTrue(
                new ClusterView(shared)
                    .shards("Account").keySet().stream().noneMatch(s -> s.startsWith("gold-")),
                "no gold shard left on a shared node");
          }
        });
    assertEquals(50, ledger.balance("vip", admin, "acc-9"), "vip's money is where it was");
  }
}
