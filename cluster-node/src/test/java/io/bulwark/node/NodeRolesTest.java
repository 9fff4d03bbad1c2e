package io.bulwark.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.domain.Slices;
import io.bulwark.testing.Eventually;
import io.bulwark.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Phase 2 by configuration: three node processes started as {@link LocalCluster} starts them, with
 * roles {@code api}, {@code entities,projections} and {@code entities}. They form one cluster; the
 * entities spread over the two entities nodes, the projection slices run on the projections node,
 * and the api-only node serves the whole API through sharding proxies while the others serve none.
 */
class NodeRolesTest {
  static final String TENANT = "roles";
  private static final int ACCOUNTS = 24;

  private TestDatabase db;
  private final List<NodeProcess> nodes = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (NodeProcess node : nodes) {
      node.close();
    }
    db.close();
  }

  @Test
  void anApiOnlyNodeServesTheWholeApiThroughProxiesToTheEntitiesNodes() throws Exception {
    db = TestDatabase.create();
    String platformKey = TestNode.newPlatformKey();
    nodes.addAll(
        NodeProcess.cluster(
            db,
            platformKeyFile(platformKey),
            List.of(
                Set.of(NodeRole.API),
                Set.of(NodeRole.ENTITIES, NodeRole.PROJECTIONS),
                Set.of(NodeRole.ENTITIES)),
            Map.of("BULWARK_TELEMETRY", "off")));
    for (NodeProcess node : nodes) {
      node.awaitReady();
    }
    NodeProcess api = nodes.get(0);
    NodeProcess entitiesAndProjections = nodes.get(1);
    NodeProcess entitiesOnly = nodes.get(2);

    for (NodeProcess node : nodes) {
      var view = new ClusterView(node);
      Eventually.await(
          Duration.ofSeconds(30),
          () -> {
            assertEquals(3, view.statuses().size(), view.members().toString());
            assertTrue(
                view.statuses().values().stream().allMatch("Up"::equals),
                view.statuses()::toString);
          });
      assertEquals(Set.of("api"), view.roles(api.clusterPort));
      assertEquals(
          Set.of("entities", "projections"), view.roles(entitiesAndProjections.clusterPort));
      assertEquals(Set.of("entities"), view.roles(entitiesOnly.clusterPort));
    }

    var client = new ApiClient(api.baseUrl(), new OpenApiContract());
    var ledger = new Ledger(client, platformKey);
    String admin = ledger.tenantWithAdmin(TENANT);
    ledger.account(TENANT, admin, "bank", "EUR", null);
    for (int i = 0; i < ACCOUNTS; i++) {
      ledger.account(TENANT, admin, "acc-" + i, "EUR", 0L);
      var transfer =
          ledger.transfer(TENANT, admin, "fund-" + i, "bank", "acc-" + i, 100 + i, "EUR");
      assertEquals(201, transfer.status(), transfer.body());
    }
    assertEquals(105, ledger.balance(TENANT, admin, "acc-5"));
    // The read model, built by the projections node, answers the api node's list endpoint.
    Eventually.await(
        Duration.ofSeconds(30),
        () -> {
          var entries =
              client.send(
                  ApiClient.get("/v1/tenants/" + TENANT + "/accounts/acc-7/entries").key(admin));
          assertEquals(200, entries.status(), entries.body());
          assertEquals(1, entries.json().get("items").size(), entries.body());
        });

    var onApi = new ClusterView(api);
    var onBoth = new ClusterView(entitiesAndProjections);
    var onEntities = new ClusterView(entitiesOnly);
    assertEquals(0, onApi.entities("Account"), "the api node hosts no account");
    assertTrue(onBoth.entities("Account") > 0, "accounts run on the entities+projections node");
    assertTrue(onEntities.entities("Account") > 0, "accounts run on the entities node");
    assertEquals(
        ACCOUNTS + 1,
        onBoth.entities("Account") + onEntities.entities("Account"),
        "every account runs on exactly one entities node");

    String slices = "sharded-daemon-process-" + io.bulwark.projections.LedgerProjection.DAEMON_NAME;
    Eventually.await(
        Duration.ofSeconds(30),
        () ->
            assertEquals(
                Slices.COUNT, onBoth.entities(slices), "every slice on the projections node"));
    assertEquals(0, onEntities.entities(slices), "no slice on the entities-only node");
    assertEquals(0, onApi.entities(slices), "no slice on the api node");

    assertEquals(
        -1, NodeProcess.status(entitiesAndProjections.baseUrl() + "/v1/tenants"), "no HTTP API");
    assertEquals(-1, NodeProcess.status(entitiesOnly.baseUrl() + "/v1/tenants"), "no HTTP API");
  }

  /** The platform key as an owner-only file, as a mounted secret would hold it. */
  static Path platformKeyFile(String key) throws Exception {
    Path dir = Files.createDirectories(Path.of("target", "node-processes"));
    Path file =
        Files.createTempFile(
            dir,
            "platform-key",
            "",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, key);
    return file.toAbsolutePath();
  }
}
