package io.bulwark.node;

import io.bulwark.testing.TestDatabase;
import java.io.IOException;
import java.net.ServerSocket;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real node in this JVM on loopback ports, against a test PostgreSQL database. */
final class TestNode implements AutoCloseable {
  /** Fast failure detection and downing, and no JVM exit, for tests. */
  static final String TEST_CONFIG =
      """
      pekko.coordinated-shutdown.exit-jvm = off
      pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
      pekko.cluster.run-coordinated-shutdown-when-down = off
      pekko.coordinated-shutdown.run-by-actor-system-terminate = off
      pekko.cluster.jmx.enabled = off
      pekko.cluster.split-brain-resolver.stable-after = 3s
      pekko.cluster.failure-detector.acceptable-heartbeat-pause = 2s
      pekko.cluster.sharding.distributed-data.majority-min-cap = 1
      bulwark.http.host = "127.0.0.1"
      bulwark.shutdown.unready-delay = 0s
      jdbc-read-journal.refresh-interval = 100ms
      # Tests drive far more traffic from one address and tenant than the defaults allow; the
      # limit tests set their own. A fixed admission limit keeps them deterministic.
      bulwark.limits.ip { requests-per-second = 1000000, burst = 1000000 }
      bulwark.limits.tenant {
        writes-per-second = 1000000, write-burst = 1000000
        reads-per-second = 1000000, read-burst = 1000000
      }
      bulwark.admission { limit = fixed, initial-limit = 1024, max-limit = 1024 }
      """;

  final NodeSettings settings;
  private BulwarkNode node;

  private TestNode(NodeSettings settings) {
    this.settings = settings;
  }

  static String newPlatformKey() {
    byte[] random = new byte[24];
    new SecureRandom().nextBytes(random);
    String key = "bwp_test_" + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    io.bulwark.testing.TestSecrets.remember(NodeSettings.Audit.derivedFrom(key).key());
    return io.bulwark.testing.TestSecrets.remember(key);
  }

  /** A first node that seeds its own cluster. */
  static TestNode seed(TestDatabase db, String platformKey) {
    int clusterPort = freePort();
    return new TestNode(
        settings(db, platformKey, clusterPort, List.of("127.0.0.1:" + clusterPort)));
  }

  /** A first node that seeds its own cluster, on a database given by its URL. */
  static TestNode seed(String dbUrl, String dbUser, String dbPassword, String platformKey) {
    int clusterPort = freePort();
    return new TestNode(
        new NodeSettings(
            "127.0.0.1",
            clusterPort,
            List.of("127.0.0.1:" + clusterPort),
            freePort(),
            freePort(),
            dbUrl,
            dbUser,
            dbPassword,
            platformKey,
            TEST_CONFIG));
  }

  /** Another node joining the cluster of {@code seed}. */
  static TestNode joining(TestDatabase db, String platformKey, TestNode seed) {
    return new TestNode(
        settings(db, platformKey, freePort(), List.of("127.0.0.1:" + seed.settings.clusterPort())));
  }

  /** The same identity and ports again, e.g. after a crash. */
  TestNode again() {
    return new TestNode(settings);
  }

  /** The same node (not yet started) with {@code hocon} laid over {@link #TEST_CONFIG}. */
  TestNode withConfig(String hocon) {
    return new TestNode(settings.withExtraConfig(settings.extraConfig() + "\n" + hocon));
  }

  /** The same node (not yet started) accepting {@code previous} platform keys too. */
  TestNode withPreviousPlatformKeys(List<String> previous) {
    return new TestNode(settings.withPreviousPlatformKeys(previous));
  }

  /** The same node (not yet started) with webhooks allowed to {@code allowedTargets}, etc. */
  TestNode withWebhooks(
      String allowedTargets,
      java.util.Optional<String> retrySchedule,
      io.bulwark.webhooks.HostResolver resolver) {
    return new TestNode(
        settings.withWebhooks(settings.webhooks().with(allowedTargets, retrySchedule, resolver)));
  }

  /** The same node (not yet started) with transport security {@code tls}. */
  TestNode withTls(NodeSettings.Tls tls) {
    return new TestNode(settings.withTls(tls));
  }

  /** The same node (not yet started) accepting bearer JWTs as {@code jwt} describes. */
  TestNode withJwt(io.bulwark.http.auth.JwtSettings jwt) {
    return new TestNode(settings.withJwt(jwt));
  }

  /** The same node (not yet started) with other tenancy settings (tiers, schema tenants). */
  TestNode withTenancy(NodeSettings.Tenancy tenancy) {
    return new TestNode(settings.withTenancy(tenancy));
  }

  /** The same node (not yet started) reading its lists from {@code replica}. */
  TestNode withReplica(TestDatabase replica) {
    return new TestNode(
        settings.withReadDatabase(
            new NodeSettings.ReadDatabase(replica.url(), replica.user(), replica.password(), 4)));
  }

  private static NodeSettings settings(
      TestDatabase db, String platformKey, int clusterPort, List<String> seeds) {
    return new NodeSettings(
        "127.0.0.1",
        clusterPort,
        seeds,
        freePort(),
        freePort(),
        db.url(),
        db.user(),
        db.password(),
        platformKey,
        TEST_CONFIG);
  }

  TestNode start() {
    node = BulwarkNode.start(settings);
    return this;
  }

  BulwarkNode node() {
    return node;
  }

  String baseUrl() {
    String scheme = settings.tls().https().isPresent() ? "https" : "http";
    return scheme + "://127.0.0.1:" + settings.httpPort();
  }

  String managementUrl() {
    return "http://127.0.0.1:" + settings.managementPort();
  }

  /** Waits until this node sees {@code count} members, all Up and reachable. */
  void awaitMembersUp(int count) throws Exception {
    var management = new ApiClient(managementUrl(), null);
    io.bulwark.testing.Eventually.await(
        Duration.ofSeconds(60),
        () -> {
          var members = management.send(ApiClient.get("/cluster/members"));
          org.junit.jupiter.api.Assertions.assertEquals(200, members.status(), members.body());
          var list = members.json().get("members");
          org.junit.jupiter.api.Assertions.assertEquals(count, list.size(), members.body());
          list.forEach(
              m ->
                  org.junit.jupiter.api.Assertions.assertEquals(
                      "Up", m.get("status").asText(), members.body()));
          org.junit.jupiter.api.Assertions.assertEquals(
              0, members.json().get("unreachable").size(), members.body());
        });
  }

  /**
   * Graceful: leaves the cluster and hands off its shards. Waits as long as the shutdown's phases
   * may take together (92 s, cluster.conf), not less: on a loaded machine a phase that times out is
   * slow, not broken, and Pekko logs which one it was.
   */
  void stop() throws Exception {
    if (node != null) {
      node.stop().toCompletableFuture().get(120, TimeUnit.SECONDS);
      node.system().getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
      node = null;
    }
  }

  /**
   * Abrupt: the actor system dies without leaving the cluster or handing anything off, as a killed
   * process would (coordinated shutdown is bypassed).
   */
  void crash() throws Exception {
    if (node != null) {
      node.system().terminate();
      node.system().getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
      node = null;
    }
  }

  @Override
  public void close() throws Exception {
    stop();
  }

  /** Ports handed out in this JVM: the OS may offer a closed port again before its user binds. */
  private static final java.util.Set<Integer> HANDED_OUT =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * A loopback port nobody listens on, never one this JVM handed out before: several nodes of a
   * test get their ports before any of them binds, and the OS may offer a closed port twice.
   */
  static int freePort() {
    for (int attempt = 0; attempt < 100; attempt++) {
      try (var socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
        if (HANDED_OUT.add(socket.getLocalPort())) {
          return socket.getLocalPort();
        }
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
    throw new IllegalStateException("no fresh free port after 100 attempts");
  }

  static Duration startupTimeout() {
    return Duration.ofSeconds(60);
  }
}
