package io.bulwark.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.testing.Eventually;
import io.bulwark.testing.Sql;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A rolling update of three node processes under steady load, one node at a time as Kubernetes does
 * it: SIGTERM (graceful shutdown with its unready delay), then the node starts again with a new
 * app-version. Clients behind a readiness-probing balancer see no failed request (503s with
 * Retry-After are retried with the same key), every transfer ends final with the bank invariant
 * intact, and no entity ever ran on two nodes at once: every persistence id's sequence numbers are
 * 1..n without a gap or a repeat, and no node logged a rejected write.
 *
 * <p>A drill: four minutes of JVMs restarting on two cores, run by {@code loadtests/drills} rather
 * than by the suite.
 */
@Tag("drill")
class RollingUpdateTest {
  private static final String TENANT = "rolling";
  private static final String EUR = "EUR";

  private ProcessCluster cluster;

  @AfterEach
  void stop() throws Exception {
    cluster.close();
  }

  @Test
  void restartingEveryNodeInTurnUnderLoadFailsNoAcceptedRequest() throws Exception {
    // As on Kubernetes: Cluster Bootstrap finds the pods. A restarted pod then asks the others
    // for their cluster and joins it; with seed nodes, a restarted first seed that hears from no
    // other seed within seed-node-timeout would found a second cluster (seen here under load).
    cluster =
        ProcessCluster.onKubernetes(
            List.of(LocalCluster.ALL_ROLES, LocalCluster.ALL_ROLES, LocalCluster.ALL_ROLES),
            Map.of("BULWARK_APP_VERSION", "1.0.0", "BULWARK_SHUTDOWN_UNREADY_DELAY", "2s"),
            "rolling");
    List<NodeProcess> nodes = cluster.nodes;
    var api = new ApiClient(nodes.get(0).baseUrl(), new OpenApiContract());
    var tenant = new Ledger(api, cluster.platformKey).funded(TENANT, 12, 5_000, EUR);

    Map<String, SteadyTransfers.Outcome> outcomes;
    List<String> logs = new ArrayList<>();
    try (var balancer = new ReadyBalancer(nodes);
        var load =
            new SteadyTransfers(
                6,
                balancer::pick,
                TENANT,
                tenant.admin(),
                tenant.accounts(),
                EUR,
                Duration.ofSeconds(90))) {
      Eventually.await(Duration.ofSeconds(60), () -> assertTrue(load.completed() >= 50));
      for (int i = 0; i < nodes.size(); i++) {
        NodeProcess old = nodes.get(i);
        logs.add(old.log.toString());
        int exit = old.terminate(Duration.ofSeconds(90));
        assertNotEquals(-1, exit, old.log + ": the node left by itself after SIGTERM");
        NodeProcess updated = old.restarted(Map.of("BULWARK_APP_VERSION", "1.0.1"));
        nodes.set(i, updated);
        balancer.replace(i, updated);
        updated.awaitReady();
        var view = new ClusterView(updated);
        Eventually.await(
            Duration.ofSeconds(60),
            () -> {
              assertEquals(3, view.statuses().size(), view.statuses()::toString);
              assertTrue(view.statuses().values().stream().allMatch("Up"::equals));
            });
        int before = load.completed();
        Eventually.await(Duration.ofSeconds(60), () -> assertTrue(load.completed() >= before + 30));
      }
      outcomes = load.finish(Duration.ofSeconds(120));
      System.out.printf(
          "RollingUpdateTest: %d transfers final, %d 503 answers retried, %d broken connections%n",
          outcomes.size(), load.unavailableAnswers(), load.connectionFailures());
      assertEquals(List.of(), load.unexpected(), "answers other than 201, 202, 422 or 503");
      assertEquals(0, load.connectionFailures(), "no request was cut off by a leaving node");
      assertEquals(load.sent().keySet(), outcomes.keySet(), "every transfer sent became final");
    }
    nodes.forEach(n -> logs.add(n.log.toString()));

    for (NodeProcess node : nodes) {
      assertTrue(
          node.logLines().stream().anyMatch(l -> l.contains("Bulwark node 1.0.1 is up")),
          node.log + " runs app-version 1.0.1");
    }
    SteadyTransfers.assertOutcomesHold(
        new InvariantChecks(api, TENANT, tenant.admin(), EUR, cluster.db.dataSource()),
        outcomes,
        tenant.funding(),
        tenant.limits(),
        cluster.platformKey);

    var broken =
        new Sql(cluster.db.dataSource())
            .rows(
                "SELECT persistence_id, count(*) AS events, count(DISTINCT sequence_number) AS"
                    + " distinct_numbers, max(sequence_number) AS highest FROM event_journal"
                    + " GROUP BY persistence_id HAVING count(*) <> max(sequence_number)"
                    + " OR count(DISTINCT sequence_number) <> count(*)");
    assertEquals(List.of(), broken, "journals with a repeated or missing sequence number");
    for (String log : logs) {
      var lines = java.nio.file.Files.readAllLines(java.nio.file.Path.of(log));
      assertEquals(
          List.of(),
          lines.stream()
              .filter(l -> l.contains("Failed to persist") || l.contains("duplicate key"))
              .toList(),
          log + ": a write rejected because another incarnation of the entity wrote first");
    }
  }
}
