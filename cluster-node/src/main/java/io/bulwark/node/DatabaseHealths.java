package io.bulwark.node;

import io.bulwark.readmodel.DatabaseHealth;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Each node's database breaker by actor system, for the readiness check that Pekko Management
 * builds from its class name (several nodes may share a JVM in tests).
 */
final class DatabaseHealths {
  private static final Map<String, DatabaseHealth> BY_SYSTEM = new ConcurrentHashMap<>();

  private DatabaseHealths() {}

  static void register(ActorSystem<?> system, DatabaseHealth health) {
    String key = key(system.classicSystem());
    BY_SYSTEM.put(key, health);
    system.getWhenTerminated().thenRun(() -> BY_SYSTEM.remove(key, health));
  }

  static Optional<DatabaseHealth> of(org.apache.pekko.actor.ActorSystem system) {
    return Optional.ofNullable(BY_SYSTEM.get(key(system)));
  }

  private static String key(org.apache.pekko.actor.ActorSystem system) {
    return system.name() + "@" + System.identityHashCode(system);
  }
}
