package io.bulwark.domain;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;

/**
 * The in-memory journal and snapshot store of the persistence testkit over this module's
 * reference.conf. Both stores serialize what they keep, so every stored event and snapshot goes
 * through the Jackson bindings and stable type names a real journal would use.
 */
public final class DomainTestConfig {
  private DomainTestConfig() {}

  public static Config config() {
    return ConfigFactory.parseString(
            """
            pekko.persistence.testkit.events.serialize = on
            pekko.persistence.testkit.snapshots.serialize = on
            """)
        .withFallback(EventSourcedBehaviorTestKit.config())
        .withFallback(ConfigFactory.load())
        .resolve();
  }

  /** {@link #config()} where every message between actors, asks and replies too, must serialize. */
  public static Config serializingMessages() {
    return ConfigFactory.parseString("pekko.actor.serialize-messages = on").withFallback(config());
  }

  /** Commands, events and state checked for a serialization round trip that preserves equality. */
  public static EventSourcedBehaviorTestKit.SerializationSettings verifiedSerialization() {
    return EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyEquality(true);
  }
}
