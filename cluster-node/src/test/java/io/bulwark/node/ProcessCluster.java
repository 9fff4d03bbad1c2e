package io.bulwark.node;

import io.bulwark.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Node processes on a fresh test database, started as {@link LocalCluster} starts them (its
 * environment and seed scheme, on free ports), Kamon off unless {@code env} says otherwise. The
 * platform key is a generated, owner-only file, as a mounted secret would be.
 */
final class ProcessCluster implements AutoCloseable {
  final TestDatabase db;
  final String platformKey;
  final List<NodeProcess> nodes;

  /** The Kubernetes API the nodes discover each other through, or null with seed nodes. */
  final FakeKubernetesApi kubernetes;

  private boolean closed;

  private ProcessCluster(
      TestDatabase db, String platformKey, List<NodeProcess> nodes, FakeKubernetesApi kubernetes) {
    this.db = db;
    this.platformKey = platformKey;
    this.nodes = nodes;
    this.kubernetes = kubernetes;
  }

  /** One node per entry of {@code roles} (each a BULWARK_ROLES value), not yet awaited. */
  static ProcessCluster launch(List<String> roles, Map<String, String> env) throws Exception {
    return launch(roles, env, List.of(), null);
  }

  /**
   * Nodes that find each other as pods do (BULWARK_DISCOVERY=kubernetes), through a loopback fake
   * of the Kubernetes API that lists them, each ready when this returns.
   */
  static ProcessCluster onKubernetes(List<String> roles, Map<String, String> env, String namespace)
      throws Exception {
    var kubernetes =
        new FakeKubernetesApi(Path.of("target", "fake-kubernetes-" + namespace), namespace);
    Map<String, String> withDiscovery = new HashMap<>(kubernetes.nodeEnvironment(roles.size()));
    withDiscovery.putAll(env);
    var cluster = launch(roles, withDiscovery, kubernetes.nodeProperties(), kubernetes);
    kubernetes.pods(cluster.nodes.stream().map(n -> n.managementPort).toList());
    cluster.awaitReady();
    return cluster;
  }

  private static ProcessCluster launch(
      List<String> roles,
      Map<String, String> env,
      List<String> properties,
      FakeKubernetesApi kubernetes)
      throws Exception {
    var db = TestDatabase.create();
    String platformKey = TestNode.newPlatformKey();
    Map<String, String> withDefaults = new HashMap<>(Map.of("BULWARK_TELEMETRY", "off"));
    withDefaults.putAll(env);
    var nodes =
        NodeProcess.cluster(db, platformKeyFile(platformKey), roles, withDefaults, properties);
    return new ProcessCluster(db, platformKey, new ArrayList<>(nodes), kubernetes);
  }

  /** {@link #launch} and wait until every node is ready. */
  static ProcessCluster start(List<String> roles, Map<String, String> env) throws Exception {
    var cluster = launch(roles, env);
    cluster.awaitReady();
    return cluster;
  }

  /**
   * Waits until every node is ready; if one never is, stops them all before failing, so that no
   * node outlives its test (the caller never received the cluster to close).
   */
  void awaitReady() throws Exception {
    try {
      for (NodeProcess node : nodes) {
        node.awaitReady();
      }
    } catch (Exception | AssertionError e) {
      try {
        close();
      } catch (Exception closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
  }

  NodeProcess node(int index) {
    return nodes.get(index);
  }

  private static Path platformKeyFile(String key) throws Exception {
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

  @Override
  public synchronized void close() throws Exception {
    if (closed) {
      return; // awaitReady may have closed it already
    }
    closed = true;
    try {
      for (NodeProcess node : nodes) {
        node.close();
      }
    } finally {
      db.close();
      if (kubernetes != null) {
        kubernetes.close();
      }
    }
  }
}
