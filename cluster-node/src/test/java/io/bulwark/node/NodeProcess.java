package io.bulwark.node;

import io.bulwark.testing.Eventually;
import io.bulwark.testing.TestDatabase;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;

/**
 * A node in a process of its own, started by {@link Main} from BULWARK_* variables as in
 * production: with Kamon's instrumentation attached, its metrics endpoint, and its log on stdout,
 * kept in a file the test reads.
 */
final class NodeProcess implements AutoCloseable {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  final int httpPort;
  final int managementPort;
  final int clusterPort;
  final int metricsPort;
  final Path log;
  private final String name;
  private final Map<String, String> env;
  private final List<String> systemProperties;
  private final Process process;

  private NodeProcess(
      String name,
      int httpPort,
      int managementPort,
      int clusterPort,
      int metricsPort,
      Map<String, String> env,
      List<String> systemProperties)
      throws IOException {
    this.name = name;
    this.httpPort = httpPort;
    this.managementPort = managementPort;
    this.clusterPort = clusterPort;
    this.metricsPort = metricsPort;
    this.env = Map.copyOf(env);
    this.systemProperties = List.copyOf(systemProperties);
    Path dir = Path.of("target", "node-processes");
    Files.createDirectories(dir);
    this.log = dir.resolve(name + "-" + clusterPort + "-" + System.nanoTime() + ".log");
    List<String> jvm = new ArrayList<>();
    jvm.add("-Xmx512m");
    jvm.add("-Dbulwark.http.host=127.0.0.1");
    jvm.addAll(systemProperties);
    var builder =
        new ProcessBuilder(LocalCluster.nodeCommand(jvm, mainClasspath()))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().keySet().removeIf(k -> k.startsWith("BULWARK_"));
    builder.environment().putAll(env);
    this.process = builder.start();
  }

  /** The audit key of a cluster, beside its platform key file and derived from that key. */
  private static Path auditKeyFile(Path platformKeyFile) throws IOException {
    return derivedKeyFile(platformKeyFile, ".audit", k -> NodeSettings.Audit.derivedFrom(k).key());
  }

  /** The webhook key of a cluster, beside its platform key file and derived from that key. */
  private static Path webhookKeyFile(Path platformKeyFile) throws IOException {
    return derivedKeyFile(
        platformKeyFile, ".webhook", k -> NodeSettings.Webhooks.derivedFrom(k).key());
  }

  private static Path derivedKeyFile(
      Path platformKeyFile, String suffix, java.util.function.UnaryOperator<String> derive)
      throws IOException {
    Path file = platformKeyFile.resolveSibling(platformKeyFile.getFileName() + suffix);
    String platformKey = java.nio.file.Files.readString(platformKeyFile).strip();
    io.bulwark.testing.TestSecrets.remember(platformKey);
    java.nio.file.Files.writeString(
        file, io.bulwark.testing.TestSecrets.remember(derive.apply(platformKey)));
    return file;
  }

  private static NodeProcess onFreePorts(
      String name,
      TestDatabase db,
      String platformKey,
      int clusterPort,
      int seedPort,
      Map<String, String> extraEnv,
      List<String> systemProperties)
      throws IOException {
    int httpPort = TestNode.freePort();
    int managementPort = TestNode.freePort();
    int metricsPort = TestNode.freePort();
    Map<String, String> env = new HashMap<>();
    env.put("BULWARK_DB_URL", db.url());
    env.put("BULWARK_DB_USER", db.user());
    env.put("BULWARK_DB_PASSWORD", db.password());
    env.put("BULWARK_PLATFORM_KEY", platformKey);
    env.put("BULWARK_AUDIT_KEY", NodeSettings.Audit.derivedFrom(platformKey).key());
    env.put(
        "BULWARK_WEBHOOK_KEY",
        io.bulwark.testing.TestSecrets.remember(
            NodeSettings.Webhooks.derivedFrom(platformKey).key()));
    env.put("BULWARK_HTTP_PORT", Integer.toString(httpPort));
    env.put("BULWARK_MANAGEMENT_PORT", Integer.toString(managementPort));
    env.put("BULWARK_CLUSTER_PORT", Integer.toString(clusterPort));
    env.put("BULWARK_SEED_NODES", "127.0.0.1:" + seedPort);
    env.put("BULWARK_METRICS_HOST", "127.0.0.1");
    env.put("BULWARK_METRICS_PORT", Integer.toString(metricsPort));
    env.putAll(extraEnv);
    return new NodeProcess(
        name, httpPort, managementPort, clusterPort, metricsPort, env, systemProperties);
  }

  /** A node that seeds its own cluster. */
  static NodeProcess seed(
      String name,
      TestDatabase db,
      String platformKey,
      Map<String, String> env,
      List<String> properties)
      throws IOException {
    int port = TestNode.freePort();
    return onFreePorts(name, db, platformKey, port, port, env, properties);
  }

  /** A node that joins {@code seed}'s cluster. */
  static NodeProcess joining(
      String name,
      TestDatabase db,
      String platformKey,
      NodeProcess seed,
      Map<String, String> env,
      List<String> properties)
      throws IOException {
    return onFreePorts(
        name, db, platformKey, TestNode.freePort(), seed.clusterPort, env, properties);
  }

  /**
   * The nodes of a local cluster as {@link LocalCluster} starts them (its environment and seed
   * scheme), one per role set, on free ports, all started at once.
   */
  static List<NodeProcess> cluster(
      TestDatabase db,
      java.nio.file.Path platformKeyFile,
      List<String> roles,
      Map<String, String> extraEnv)
      throws IOException {
    return cluster(db, platformKeyFile, roles, extraEnv, List.of());
  }

  /** {@link #cluster(TestDatabase, Path, List, Map)} with {@code -D} settings for every node. */
  static List<NodeProcess> cluster(
      TestDatabase db,
      java.nio.file.Path platformKeyFile,
      List<String> roles,
      Map<String, String> extraEnv,
      List<String> systemProperties)
      throws IOException {
    List<LocalCluster.Member> members = new ArrayList<>();
    for (int i = 0; i < roles.size(); i++) {
      members.add(
          new LocalCluster.Member(
              i,
              roles.get(i),
              TestNode.freePort(),
              TestNode.freePort(),
              TestNode.freePort(),
              TestNode.freePort()));
    }
    var database =
        new LocalCluster.Database(
            db.url(),
            db.user(),
            db.password(),
            platformKeyFile,
            auditKeyFile(platformKeyFile),
            webhookKeyFile(platformKeyFile));
    Path dataDir = Path.of("target", "node-processes", "data");
    List<NodeProcess> nodes = new ArrayList<>();
    for (var m : members) {
      Map<String, String> env =
          new HashMap<>(LocalCluster.environment(m, members, database, dataDir));
      env.putAll(extraEnv);
      nodes.add(
          new NodeProcess(
              m.name(),
              m.httpPort(),
              m.managementPort(),
              m.clusterPort(),
              m.metricsPort(),
              env,
              systemProperties));
    }
    return nodes;
  }

  /** A new node on free ports joining this node's cluster, with {@code changes} to this env. */
  NodeProcess another(String newName, Map<String, String> changes) throws IOException {
    Map<String, String> changed = new HashMap<>(env);
    int http = TestNode.freePort();
    int management = TestNode.freePort();
    int cluster = TestNode.freePort();
    int metrics = TestNode.freePort();
    changed.put("BULWARK_HTTP_PORT", Integer.toString(http));
    changed.put("BULWARK_MANAGEMENT_PORT", Integer.toString(management));
    changed.put("BULWARK_CLUSTER_PORT", Integer.toString(cluster));
    changed.put("BULWARK_METRICS_PORT", Integer.toString(metrics));
    changed.putAll(changes);
    return new NodeProcess(newName, http, management, cluster, metrics, changed, systemProperties);
  }

  /** The same node (name, ports, environment) started again, with {@code changes} to its env. */
  NodeProcess restarted(Map<String, String> changes) throws IOException {
    Map<String, String> changed = new HashMap<>(env);
    changed.putAll(changes);
    return new NodeProcess(
        name, httpPort, managementPort, clusterPort, metricsPort, changed, systemProperties);
  }

  /** This JVM's classpath without the test classes (their logback-test.xml is not the node's). */
  private static String mainClasspath() {
    return Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(entry -> !entry.replace('\\', '/').endsWith("cluster-node/target/test-classes"))
        .collect(Collectors.joining(File.pathSeparator));
  }

  String managementUrl() {
    return "http://127.0.0.1:" + managementPort;
  }

  String baseUrl() {
    return "http://127.0.0.1:" + httpPort;
  }

  void awaitReady() throws Exception {
    Eventually.await(
        Duration.ofSeconds(90),
        () -> {
          Assertions.assertTrue(process.isAlive(), () -> "The node exited:\n" + tail());
          Assertions.assertEquals(200, status("http://127.0.0.1:" + managementPort + "/ready"));
        });
  }

  /** The Prometheus text of this node's metrics endpoint. */
  String scrape() throws Exception {
    var response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics"))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    Assertions.assertEquals(200, response.statusCode());
    return response.body();
  }

  List<String> logLines() throws IOException {
    return Files.readAllLines(log, StandardCharsets.UTF_8);
  }

  private String tail() {
    try {
      var lines = logLines();
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** The status of a GET, or -1 when no answer came. */
  static int status(String url) {
    try {
      return HTTP.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** SIGKILL: the process dies at once, without leaving the cluster or handing anything off. */
  void kill() throws InterruptedException {
    process.destroyForcibly().waitFor();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** SIGTERM, as Kubernetes stops a pod: the node leaves the cluster and exits by itself. */
  int terminate(Duration within) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly().waitFor();
      return -1;
    }
    return process.exitValue();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      terminate(Duration.ofSeconds(30));
    }
  }
}
