package io.bulwark.node.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Kubernetes kills a pod when its terminationGracePeriodSeconds run out, whatever the node is
 * doing: mid hand-off, that would strand shards until the split-brain resolver downs the node. So
 * the grace period must exceed the node's worst-case coordinated shutdown: every phase at its
 * timeout.
 */
class GracePeriodTest {
  /** The JVM's exit after the last phase: shutdown hooks, the log flush. */
  private static final Duration EXIT_MARGIN = Duration.ofSeconds(10);

  @Test
  void theGracePeriodOutlastsEveryShutdownPhaseAtItsTimeout() throws Exception {
    Config shutdown = ConfigFactory.load().getConfig("pekko.coordinated-shutdown");
    Duration fallback = shutdown.getDuration("default-phase-timeout");
    Config phases = shutdown.getConfig("phases");
    Duration worst = Duration.ZERO;
    for (String phase : phases.root().keySet()) {
      Config p = phases.getConfig("\"" + phase + "\"");
      worst = worst.plus(p.hasPath("timeout") ? p.getDuration("timeout") : fallback);
    }
    Duration unreadyDelay = ConfigFactory.load().getDuration("bulwark.shutdown.unready-delay");
    Duration unreadyPhase = phases.getConfig("before-service-unbind").getDuration("timeout");
    assertTrue(
        unreadyDelay.compareTo(unreadyPhase) < 0,
        "the unready delay " + unreadyDelay + " ends within its phase's timeout " + unreadyPhase);

    var deployment =
        new ObjectMapper(new YAMLFactory())
            .readTree(Path.of("..", "k8s", "base", "node", "deployment.yaml").toFile());
    long grace = deployment.at("/spec/template/spec/terminationGracePeriodSeconds").asLong(-1);
    assertTrue(
        grace >= worst.plus(EXIT_MARGIN).toSeconds(),
        "terminationGracePeriodSeconds "
            + grace
            + " must exceed the shutdown's worst case "
            + worst.toSeconds()
            + " s plus "
            + EXIT_MARGIN.toSeconds()
            + " s to exit");
    System.out.println(
        "GracePeriodTest: worst-case shutdown " + worst.toSeconds() + " s, grace " + grace + " s");
  }
}
