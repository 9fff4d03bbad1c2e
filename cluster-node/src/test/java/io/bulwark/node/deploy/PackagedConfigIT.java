package io.bulwark.node.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The configuration of the jar the node ships in, not of the test class path: the shade plugin
 * appends every reference.conf into one, where a library's later default overrides ours. Each
 * setting here was once lost that way (the client address: per-IP limits counted every client as
 * one; the projection's dialect; the parsing error handler).
 */
class PackagedConfigIT {
  private static final Path JAR = Path.of("target", "bulwark-node.jar");

  @Test
  void theShippedJarKeepsTheSettingsThatLibraryDefaultsWouldReset() throws Exception {
    assertTrue(Files.isRegularFile(JAR), "built by package: " + JAR.toAbsolutePath());
    try (var jar = new URLClassLoader(new URL[] {JAR.toUri().toURL()}, null)) {
      var config = ConfigFactory.load(jar);
      assertTrue(config.getBoolean("pekko.http.server.remote-address-attribute"));
      assertEquals("postgres-dialect", config.getString("pekko.projection.jdbc.dialect"));
      assertEquals(
          8,
          config.getInt(
              "pekko.projection.jdbc.blocking-jdbc-dispatcher.thread-pool-executor.fixed-pool-size"));
      assertEquals("", config.getString("pekko.http.server.server-header"));
      // else Pekko's refusals before routing are text/plain again, quoting the client (ADR 0024)
      assertEquals(
          "io.bulwark.http.EdgeRefusals",
          config.getString("pekko.http.server.parsing.error-handler"));
    }
  }
}
