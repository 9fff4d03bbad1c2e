package io.bulwark.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.typesafe.config.Config;
import io.bulwark.domain.account.Account;
import java.time.Duration;
import java.time.Instant;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/** A single-node cluster on a {@link TestDatabase} for integration tests, and what they share. */
public final class TestCluster {
  public static final Duration ASK = Duration.ofSeconds(15);

  private TestCluster() {}

  /** Started, joined to itself and Up; {@code overrides} as in {@link TestNodeConfig}. */
  public static ActorTestKit start(String name, TestDatabase db, Config overrides)
      throws Exception {
    var testKit = ActorTestKit.create(name, TestNodeConfig.singleNode(db, overrides));
    var cluster = Cluster.get(testKit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    Eventually.await(
        Duration.ofSeconds(10),
        () -> assertEquals(MemberStatus.up(), cluster.selfMember().status()));
    return testKit;
  }

  /** Stops what {@link #start} started and closes the database; either may be null. */
  public static void stop(ActorTestKit testKit, TestDatabase db) {
    if (testKit != null) {
      testKit.shutdownTestKit();
    }
    if (db != null) {
      db.close();
    }
  }

  /** Opens an account in EUR through its entity. */
  public static void openAccount(
      ClusterSharding sharding, String tenantId, String accountId, Long overdraftLimit)
      throws Exception {
    var reply =
        sharding
            .entityRefFor(Account.ENTITY_KEY, Account.entityId(tenantId, accountId))
            .<Account.OpenReply>ask(
                replyTo -> new Account.Open("EUR", overdraftLimit, Instant.now(), replyTo), ASK)
            .toCompletableFuture()
            .get();
    assertInstanceOf(Account.Opened.class, reply);
  }
}
