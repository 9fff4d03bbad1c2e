package io.bulwark.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Artery over mutual TLS (ADR 0018): two nodes with certificates of one CA, sharing the subject
 * name {@value #CLUSTER_NAME}, form a cluster. A peer speaking plain TCP, a peer whose certificate
 * comes from another CA, and a peer of the same CA whose certificate shares no subject name with
 * theirs (Pekko's peer subject check; any common CN or DNS SAN would let it in) all try to join and
 * stay out, while the cluster keeps its two members.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterTlsTest {
  private static final Path DIR = Path.of("target", "tls", "cluster");
  private static final String CLUSTER_NAME = "bulwark-cluster";

  /** How long the intruders get to join (bounded); a legitimate join takes a second or two. */
  private static final Duration INTRUDERS_WINDOW = Duration.ofSeconds(10);

  private TestDatabase db;
  private TestCertificates.Authority ours;
  private TestNode a;
  private TestNode b;

  @BeforeAll
  void startTwoNodesOverTls() throws Exception {
    ours = new TestCertificates.Authority(DIR, "ours");
    db = TestDatabase.create();
    String platformKey = TestNode.newPlatformKey();
    a = TestNode.seed(db, platformKey).withTls(clusterTls(ours.issue("a", CLUSTER_NAME))).start();
    b =
        TestNode.joining(db, platformKey, a)
            .withTls(clusterTls(ours.issue("b", CLUSTER_NAME)))
            .start();
    a.awaitMembersUp(2);
    b.awaitMembersUp(2);
  }

  @AfterAll
  void stop() throws Exception {
    try {
      if (b != null) {
        b.stop();
      }
      if (a != null) {
        a.stop();
      }
    } finally {
      db.close();
    }
  }

  @Test
  void theNodesTalkTlsWithPekkosRotatingKeysProvider() {
    var config = a.node().system().settings().config();
    assertEquals("tls-tcp", config.getString("pekko.remote.artery.transport"));
    assertEquals(
        "org.apache.pekko.remote.artery.tcp.ssl.RotatingKeysSSLEngineProvider",
        config.getString("pekko.remote.artery.ssl.ssl-engine-provider"));
    assertTrue(
        config
            .getString("pekko.remote.artery.ssl.rotating-keys-engine.ca-cert-file")
            .endsWith("/a/ca.crt"));
  }

  @Test
  void plainTcpPeersForeignCaPeersAndMisnamedPeersCannotJoin() throws Exception {
    var theirs = new TestCertificates.Authority(DIR, "theirs");
    List<ActorSystem<Void>> intruders = new ArrayList<>();
    try {
      intruders.add(peer(NodeSettings.Tls.NONE));
      intruders.add(peer(clusterTls(theirs.issue("foreign", CLUSTER_NAME))));
      intruders.add(peer(clusterTls(ours.issue("misnamed", "someone-else"))));
      intruders.forEach(i -> System.out.println("ClusterTlsTest: intruder " + i.address()));
      var aAddress = Cluster.get(a.node().system()).selfMember().address();
      var members = Set.of(aAddress, Cluster.get(b.node().system()).selfMember().address());
      var stranger = new CompletableFuture<ClusterEvent.MemberEvent>();
      a.node()
          .system()
          .systemActorOf(
              Behaviors.<ClusterEvent.MemberEvent>setup(
                  context -> {
                    Cluster.get(context.getSystem())
                        .subscriptions()
                        .tell(Subscribe.create(context.getSelf(), ClusterEvent.MemberEvent.class));
                    return Behaviors.receiveMessage(
                        event -> {
                          if (!members.contains(event.member().address())) {
                            stranger.complete(event);
                          }
                          return Behaviors.same();
                        });
                  }),
              "tls-intruder-watch",
              org.apache.pekko.actor.typed.Props.empty());
      try {
        var event = stranger.get(INTRUDERS_WINDOW.toMillis(), TimeUnit.MILLISECONDS);
        throw new AssertionError("a peer that should stay out got in: " + event);
      } catch (TimeoutException expected) {
        // No other member appeared within the window.
      }
      assertEquals(members, upMembers(a.node().system()), "the cluster keeps its two members");
      for (var intruder : intruders) {
        assertNotEquals(
            MemberStatus.up(),
            Cluster.get(intruder).selfMember().status(),
            intruder.address().toString());
        assertTrue(
            upMembers(intruder).stream().noneMatch(aAddress::equals),
            intruder.address() + " sees the cluster");
      }
      a.awaitMembersUp(2);
    } finally {
      intruders.forEach(ActorSystem::terminate);
      for (var intruder : intruders) {
        try {
          intruder.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
          System.out.println("ClusterTlsTest: " + intruder.address() + " did not stop: " + e);
        }
      }
    }
  }

  /**
   * A bare actor system configured as a node is ({@link NodeConfig}), asked to join the cluster
   * through {@code a} as its seed: enough to try the join, without a database or an API.
   */
  private ActorSystem<Void> peer(NodeSettings.Tls tls) {
    int port = TestNode.freePort();
    var settings =
        new NodeSettings(
                "127.0.0.1",
                port,
                List.of("127.0.0.1:" + a.settings.clusterPort()),
                TestNode.freePort(),
                TestNode.freePort(),
                "jdbc:postgresql://127.0.0.1:1/none",
                "none",
                "none",
                "none",
                TestNode.TEST_CONFIG)
            .withTls(tls);
    ActorSystem<Void> system =
        ActorSystem.create(Behaviors.empty(), NodeConfig.SYSTEM_NAME, NodeConfig.build(settings));
    Cluster.get(system); // joins the seed nodes of its configuration
    return system;
  }

  private static Set<org.apache.pekko.actor.Address> upMembers(ActorSystem<?> system) {
    return StreamSupport.stream(Cluster.get(system).state().getMembers().spliterator(), false)
        .filter(m -> m.status() == MemberStatus.up())
        .map(m -> m.address())
        .collect(Collectors.toSet());
  }

  private static NodeSettings.Tls clusterTls(Path dir) {
    return new NodeSettings.Tls(Optional.empty(), Optional.of(dir.toAbsolutePath()));
  }
}
