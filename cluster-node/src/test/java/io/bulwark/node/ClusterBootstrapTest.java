package io.bulwark.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.testing.Eventually;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * BULWARK_DISCOVERY=kubernetes as a pod runs it: no seed nodes; each node asks the Kubernetes API
 * (a loopback fake over HTTPS, trusted through the CA file of the service account mount, with the
 * mount's bearer token) for the pods labelled app.kubernetes.io/name=bulwark in its namespace, and
 * Cluster Bootstrap forms one cluster of three through their "management" ports.
 */
class ClusterBootstrapTest {
  private static final String NAMESPACE = "bulwark-test";

  private ProcessCluster cluster;

  @AfterEach
  void stop() throws Exception {
    cluster.close();
  }

  @Test
  void threeNodesFindEachOtherThroughTheKubernetesApiAndFormOneCluster() throws Exception {
    cluster =
        ProcessCluster.onKubernetes(
            List.of(LocalCluster.ALL_ROLES, LocalCluster.ALL_ROLES, LocalCluster.ALL_ROLES),
            Map.of(),
            NAMESPACE);
    var kubernetes = cluster.kubernetes;
    for (NodeProcess node : cluster.nodes) {
      var view = new ClusterView(node);
      Eventually.await(
          Duration.ofSeconds(30),
          () -> {
            assertEquals(3, view.statuses().size(), view.statuses()::toString);
            assertTrue(view.statuses().values().stream().allMatch("Up"::equals));
          });
    }
    assertEquals(Set.of("app.kubernetes.io/name=bulwark"), Set.copyOf(kubernetes.selectorsAsked));
    assertEquals(List.of(), kubernetes.refused, "every request carried the mount's token");

    var ledger = new Ledger(new ApiClient(cluster.node(2).baseUrl(), null), cluster.platformKey);
    ledger.tenantWithAdmin("bootstrapped");
  }
}
