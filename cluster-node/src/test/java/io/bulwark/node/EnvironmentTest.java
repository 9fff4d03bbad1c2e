package io.bulwark.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The BULWARK_* variables: defaults, secrets from files, and refusals that name the problem. */
class EnvironmentTest {
  @TempDir Path dir;

  @Test
  void aRealDatabaseWithoutAPlatformKeyStopsWithAMessageNamingIt() {
    var env =
        new Environment(
            Map.of(
                "BULWARK_DB_URL", "jdbc:postgresql://127.0.0.1:1/x", "BULWARK_DB_PASSWORD", "pw"));
    var error = assertThrows(StartupException.class, () -> env.settings(null));
    assertTrue(error.getMessage().contains("BULWARK_PLATFORM_KEY"), error.getMessage());
  }

  @Test
  void aRealDatabaseWithoutAPasswordStopsWithAMessageNamingIt() {
    var env =
        new Environment(
            Map.of(
                "BULWARK_DB_URL", "jdbc:postgresql://127.0.0.1:1/x", "BULWARK_PLATFORM_KEY", "k"));
    var error = assertThrows(StartupException.class, () -> env.settings(null));
    assertTrue(error.getMessage().contains("BULWARK_DB_PASSWORD"), error.getMessage());
  }

  @Test
  void secretsAreReadFromFiles() throws Exception {
    Files.writeString(dir.resolve("pk"), "platform-secret\n");
    Files.writeString(dir.resolve("pw"), "db-secret\n");
    var settings =
        new Environment(
                Map.of(
                    "BULWARK_DB_URL", "jdbc:postgresql://127.0.0.1:1/x",
                    "BULWARK_PLATFORM_KEY_FILE", dir.resolve("pk").toString(),
                    "BULWARK_DB_PASSWORD_FILE", dir.resolve("pw").toString()))
            .settings(null);
    assertEquals("platform-secret", settings.platformKey());
    assertEquals("db-secret", settings.dbPassword());
  }

  @Test
  void theLocalModeGeneratesOnePlatformKeyReadableByItsOwnerOnly() throws Exception {
    var env = new Environment(Map.of("BULWARK_DATA_DIR", dir.toString()));
    String first = env.settings("jdbc:postgresql://127.0.0.1:1/postgres").platformKey();
    String second = env.settings("jdbc:postgresql://127.0.0.1:1/postgres").platformKey();
    assertEquals(first, second, "generated once, then reused");
    assertTrue(first.length() >= 40);
    assertEquals(
        "rw-------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("platform-key"))));
  }

  @Test
  void defaultsFormAOneNodeClusterOnLoopback() {
    var settings =
        new Environment(Map.of("BULWARK_DATA_DIR", dir.toString()))
            .settings("jdbc:postgresql://127.0.0.1:1/postgres");
    assertEquals(8080, settings.httpPort());
    assertEquals(8558, settings.managementPort());
    assertEquals(List.of("127.0.0.1:25520"), settings.seedNodes());
  }

  @Test
  void seedNodesAndPortsComeFromTheEnvironment() {
    var settings =
        new Environment(
                Map.of(
                    "BULWARK_DATA_DIR", dir.toString(),
                    "BULWARK_SEED_NODES", "127.0.0.1:25520, 127.0.0.1:25521",
                    "BULWARK_CLUSTER_PORT", "25521",
                    "BULWARK_HTTP_PORT", "8081"))
            .settings("jdbc:postgresql://127.0.0.1:1/postgres");
    assertEquals(List.of("127.0.0.1:25520", "127.0.0.1:25521"), settings.seedNodes());
    assertEquals(25521, settings.clusterPort());
    assertEquals(8081, settings.httpPort());
    assertFalse(new Environment(Map.of("BULWARK_DB_URL", "jdbc:x")).usesEmbeddedDatabase());
  }

  @Test
  void malformedValuesAreRefusedByName() {
    var badPort =
        new Environment(Map.of("BULWARK_DATA_DIR", dir.toString(), "BULWARK_HTTP_PORT", "http"));
    var error = assertThrows(StartupException.class, () -> badPort.settings("jdbc:x"));
    assertTrue(error.getMessage().contains("BULWARK_HTTP_PORT"));
    var badSeed =
        new Environment(Map.of("BULWARK_DATA_DIR", dir.toString(), "BULWARK_SEED_NODES", "nohost"));
    assertThrows(StartupException.class, () -> badSeed.settings("jdbc:x"));
  }

  @Test
  void anUnreachableDatabaseStopsStartupWithAMessageThatHidesThePassword() {
    var settings =
        new NodeSettings(
            "127.0.0.1",
            TestNode.freePort(),
            List.of(),
            TestNode.freePort(),
            TestNode.freePort(),
            "jdbc:postgresql://127.0.0.1:1/x?password=hunter2",
            "bulwark",
            "hunter2",
            "platform",
            TestNode.TEST_CONFIG);
    var error = assertThrows(StartupException.class, () -> BulwarkNode.start(settings));
    assertTrue(error.getMessage().contains("BULWARK_DB_URL"), error.getMessage());
    assertFalse(error.getMessage().contains("hunter2"), error.getMessage());
  }
}
