package io.bulwark.testing;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.Map;

/**
 * Configuration of a single-node test cluster whose journal, snapshots and read journal share one
 * pool on a {@link TestDatabase}. Resolved once, at the end, after the test values are in place:
 * substitutions of an already resolved config would keep pointing at the old database.
 */
public final class TestNodeConfig {
  public static final String RESOURCE = "bulwark-test-node.conf";

  private TestNodeConfig() {}

  public static Config singleNode(TestDatabase db) {
    return singleNode(db, ConfigFactory.empty());
  }

  /** {@code overrides} win over everything else; they may contain unresolved substitutions. */
  public static Config singleNode(TestDatabase db, Config overrides) {
    Config database =
        ConfigFactory.parseMap(
            Map.of(
                "bulwark-test.db.url", db.url(),
                "bulwark-test.db.user", db.user(),
                "bulwark-test.db.password", db.password()));
    return overrides
        .withFallback(database)
        .withFallback(ConfigFactory.parseResources(RESOURCE))
        .withFallback(ConfigFactory.defaultApplication())
        .withFallback(ConfigFactory.defaultReference())
        .resolve();
  }
}
