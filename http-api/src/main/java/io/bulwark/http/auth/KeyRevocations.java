package io.bulwark.http.auth;

import io.bulwark.domain.JsonSerializable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * Tells every node's {@link KeyCache} that a key was revoked, or that a tenant's limits changed, so
 * the change holds at once on the whole cluster; the cache's expiry still bounds it to 5 s should a
 * notice be lost.
 */
public final class KeyRevocations {
  /** {@code keyId} null: everything cached of the tenant is stale (its limits changed). */
  public record Revoked(String tenantId, String keyId) implements JsonSerializable {}

  private final KeyCache cache;
  private final ActorRef<Topic.Command<Revoked>> topic;

  private KeyRevocations(KeyCache cache, ActorRef<Topic.Command<Revoked>> topic) {
    this.cache = cache;
    this.topic = topic;
  }

  public static KeyRevocations clusterWide(ActorSystem<?> system, KeyCache cache) {
    ActorRef<Topic.Command<Revoked>> topic =
        system.systemActorOf(
            Topic.create(Revoked.class, "bulwark-key-revocations"),
            "key-revocations-topic",
            Props.empty());
    ActorRef<Revoked> subscriber =
        system.systemActorOf(
            Behaviors.receive(Revoked.class)
                .onMessage(
                    Revoked.class,
                    r -> {
                      invalidate(cache, r);
                      return Behaviors.same();
                    })
                .build(),
            "key-revocations-subscriber",
            Props.empty());
    topic.tell(Topic.subscribe(subscriber));
    return new KeyRevocations(cache, topic);
  }

  /** For a lone process without a cluster, e.g. route tests: only this node's cache. */
  public static KeyRevocations localOnly(KeyCache cache) {
    return new KeyRevocations(cache, null);
  }

  public void revoked(String tenantId, String keyId) {
    publish(new Revoked(tenantId, keyId));
  }

  /** The tenant's limits changed: every node re-reads them with the tenant's next request. */
  public void tenantChanged(String tenantId) {
    publish(new Revoked(tenantId, null));
  }

  private void publish(Revoked notice) {
    invalidate(cache, notice);
    if (topic != null) {
      topic.tell(Topic.publish(notice));
    }
  }

  private static void invalidate(KeyCache cache, Revoked notice) {
    if (notice.keyId() == null) {
      cache.invalidateTenant(notice.tenantId());
    } else {
      cache.invalidate(notice.tenantId(), notice.keyId());
    }
  }
}
