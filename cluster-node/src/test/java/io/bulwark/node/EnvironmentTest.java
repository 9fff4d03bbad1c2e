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
  private static final String AUDIT_KEY = "an-audit-key-of-enough-length-0123456789";

  @TempDir Path dir;

  @Test
  void aRealDatabaseWithoutAnAuditKeyStopsWithAMessageNamingIt() {
    var env = real();
    env.remove("BULWARK_AUDIT_KEY");
    var error = assertThrows(StartupException.class, () -> new Environment(env).settings(null));
    assertTrue(error.getMessage().contains("BULWARK_AUDIT_KEY"), error.getMessage());
  }

  @Test
  void auditKeysAndRetentionAreCheckedAndNeverPrinted() {
    var settings =
        new Environment(
                real("BULWARK_AUDIT_PREVIOUS_KEYS", "old-audit-key-of-enough-length-9876543210"))
            .settings(null);
    assertEquals(AUDIT_KEY, settings.audit().key());
    assertEquals(
        List.of("old-audit-key-of-enough-length-9876543210"), settings.audit().previousKeys());
    assertEquals(400, settings.audit().retentionDays());
    assertFalse(settings.audit().toString().contains(AUDIT_KEY), settings.audit().toString());
    var tooShort =
        assertThrows(
            StartupException.class,
            () -> new Environment(real("BULWARK_AUDIT_KEY", "short")).settings(null));
    assertTrue(tooShort.getMessage().contains("at least 32"), tooShort.getMessage());
    assertFalse(tooShort.getMessage().contains("short\""), tooShort.getMessage());
    var retention =
        assertThrows(
            StartupException.class,
            () -> new Environment(real("BULWARK_AUDIT_RETENTION_DAYS", "30")).settings(null));
    assertTrue(retention.getMessage().contains("at least 365"), retention.getMessage());
  }

  @Test
  void previousPlatformKeysAreReadForARotation() throws Exception {
    Files.writeString(dir.resolve("prev"), "bwp_old_one\nbwp_older_one\n");
    var settings =
        new Environment(real("BULWARK_PLATFORM_KEY_PREVIOUS_FILE", dir.resolve("prev").toString()))
            .settings(null);
    assertEquals(List.of("bwp_old_one", "bwp_older_one"), settings.previousPlatformKeys());
    assertFalse(settings.toString().contains("bwp_old_one"), settings.toString());
    assertEquals(List.of(), new Environment(real()).settings(null).previousPlatformKeys());
  }

  @Test
  void theLocalModeGeneratesItsAuditKeyOnce() throws Exception {
    var env = new Environment(Map.of("BULWARK_DATA_DIR", dir.toString()));
    String first = env.settings("jdbc:postgresql://127.0.0.1:1/postgres").audit().key();
    String second = env.settings("jdbc:postgresql://127.0.0.1:1/postgres").audit().key();
    assertEquals(first, second);
    assertEquals(
        "rw-------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("audit-key"))));
  }

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
    Files.writeString(dir.resolve("ak"), AUDIT_KEY + "\n");
    var settings =
        new Environment(
                Map.of(
                    "BULWARK_DB_URL", "jdbc:postgresql://127.0.0.1:1/x",
                    "BULWARK_PLATFORM_KEY_FILE", dir.resolve("pk").toString(),
                    "BULWARK_DB_PASSWORD_FILE", dir.resolve("pw").toString(),
                    "BULWARK_AUDIT_KEY_FILE", dir.resolve("ak").toString()))
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

  private static Map<String, String> real(String... more) {
    Map<String, String> env = new java.util.HashMap<>();
    env.put("BULWARK_DB_URL", "jdbc:postgresql://127.0.0.1:1/x");
    env.put("BULWARK_DB_PASSWORD", "pw");
    env.put("BULWARK_PLATFORM_KEY", "k");
    env.put("BULWARK_AUDIT_KEY", AUDIT_KEY);
    for (int i = 0; i < more.length; i += 2) {
      env.put(more[i], more[i + 1]);
    }
    return env;
  }

  @Test
  void rolesDefaultToAllAndAreParsedFromACommaSeparatedList() {
    assertEquals(NodeRole.ALL, new Environment(real()).settings(null).roles());
    var settings = new Environment(real("BULWARK_ROLES", " entities , projections")).settings(null);
    assertEquals(java.util.Set.of(NodeRole.ENTITIES, NodeRole.PROJECTIONS), settings.roles());
  }

  @Test
  void aMisspeltRoleStopsTheNodeNamingTheKnownOnes() {
    var env = new Environment(real("BULWARK_ROLES", "api,entites"));
    var error = assertThrows(StartupException.class, () -> env.settings(null));
    assertTrue(error.getMessage().contains("BULWARK_ROLES"), error.getMessage());
    assertTrue(error.getMessage().contains("'entites'"), error.getMessage());
    assertTrue(error.getMessage().contains("api, entities, projections"), error.getMessage());
    assertThrows(
        StartupException.class, () -> new Environment(real("BULWARK_ROLES", ",")).settings(null));
  }

  @Test
  void kubernetesDiscoveryHasNoSeedNodesAndRefusesThem() {
    var settings = new Environment(real("BULWARK_DISCOVERY", "kubernetes")).settings(null);
    assertEquals(NodeSettings.Discovery.KUBERNETES, settings.discovery());
    assertEquals(List.of(), settings.seedNodes());
    var both =
        new Environment(
            real("BULWARK_DISCOVERY", "kubernetes", "BULWARK_SEED_NODES", "10.0.0.1:25520"));
    var error = assertThrows(StartupException.class, () -> both.settings(null));
    assertTrue(error.getMessage().contains("BULWARK_SEED_NODES"), error.getMessage());
    var unknown = new Environment(real("BULWARK_DISCOVERY", "consul"));
    error = assertThrows(StartupException.class, () -> unknown.settings(null));
    assertTrue(error.getMessage().contains("seed-nodes or kubernetes"), error.getMessage());
  }

  @Test
  void aReadReplicaNeedsItsPasswordAndNeverPrintsIt() throws Exception {
    assertTrue(new Environment(real()).settings(null).readDatabase().isEmpty());
    var missing = new Environment(real("BULWARK_DB_READ_URL", "jdbc:postgresql://replica/x"));
    var error = assertThrows(StartupException.class, () -> missing.settings(null));
    assertTrue(error.getMessage().contains("BULWARK_DB_READ_PASSWORD"), error.getMessage());

    Files.writeString(dir.resolve("rpw"), "replica-secret\n");
    var settings =
        new Environment(
                real(
                    "BULWARK_DB_READ_URL",
                    "jdbc:postgresql://replica/x",
                    "BULWARK_DB_READ_PASSWORD_FILE",
                    dir.resolve("rpw").toString()))
            .settings(null);
    var replica = settings.readDatabase().orElseThrow();
    assertEquals("replica-secret", replica.password());
    assertEquals("bulwark", replica.user(), "the primary's user unless BULWARK_DB_READ_USER");
    assertFalse(replica.toString().contains("replica-secret"));
    assertFalse(settings.toString().contains("pw"), settings.toString());
    assertFalse(settings.toString().contains("replica-secret"), settings.toString());
  }

  @Test
  void migrationsRunAsTheNodesUserUnlessAMigrationUserIsSet() {
    var plain = new Environment(real()).settings(null);
    assertTrue(plain.migration().isEmpty());
    assertEquals("bulwark", plain.migrationLogin().user());
    assertEquals("pw", plain.migrationLogin().password());

    var split =
        new Environment(
                real(
                    "BULWARK_DB_USER", "bulwark_node",
                    "BULWARK_DB_MIGRATION_USER", "bulwark_owner",
                    "BULWARK_DB_MIGRATION_PASSWORD", "owner-secret"))
            .settings(null);
    assertEquals("bulwark_node", split.dbUser());
    assertEquals("bulwark_owner", split.migrationLogin().user());
    assertEquals("owner-secret", split.migrationLogin().password());
    assertFalse(split.toString().contains("owner-secret"), split.toString());
    assertFalse(split.migration().orElseThrow().toString().contains("owner-secret"));
  }

  @Test
  void aMigrationUserNeedsItsOwnPasswordReadFromAFileAndNeverTheNodes() throws Exception {
    var missing = new Environment(real("BULWARK_DB_MIGRATION_USER", "bulwark_owner"));
    var error = assertThrows(StartupException.class, () -> missing.settings(null));
    assertTrue(error.getMessage().contains("BULWARK_DB_MIGRATION_PASSWORD"), error.getMessage());

    Files.writeString(dir.resolve("mpw"), "owner-secret\n");
    var settings =
        new Environment(
                real(
                    "BULWARK_DB_MIGRATION_USER",
                    "bulwark_owner",
                    "BULWARK_DB_MIGRATION_PASSWORD_FILE",
                    dir.resolve("mpw").toString()))
            .settings(null);
    assertEquals("owner-secret", settings.migrationLogin().password());

    var orphan = new Environment(real("BULWARK_DB_MIGRATION_PASSWORD", "owner-secret"));
    error = assertThrows(StartupException.class, () -> orphan.settings(null));
    assertTrue(error.getMessage().contains("BULWARK_DB_MIGRATION_USER"), error.getMessage());
    assertFalse(error.getMessage().contains("owner-secret"), error.getMessage());
  }

  @Test
  void theLocalModeMigratesAsTheSuperuserAndWorksAsTheApplicationLogin() {
    var settings =
        new Environment(Map.of("BULWARK_DATA_DIR", dir.toString()))
            .settings("jdbc:postgresql://127.0.0.1:1/postgres");
    assertEquals(EmbeddedDatabase.APP_USER, settings.dbUser());
    assertEquals(EmbeddedDatabase.SUPERUSER, settings.migrationLogin().user());
  }

  @Test
  void aFailedMigrationNamesItsLoginButNeverItsPassword() {
    var settings =
        new NodeSettings(
                "127.0.0.1",
                TestNode.freePort(),
                List.of(),
                TestNode.freePort(),
                TestNode.freePort(),
                "jdbc:postgresql://127.0.0.1:1/x",
                "bulwark_node",
                "node-secret",
                "platform",
                TestNode.TEST_CONFIG)
            .withMigration(new NodeSettings.Migration("bulwark_owner", "owner-secret"));
    var error = assertThrows(StartupException.class, () -> BulwarkNode.start(settings));
    assertTrue(error.getMessage().contains("as bulwark_owner"), error.getMessage());
    assertFalse(error.getMessage().contains("owner-secret"), error.getMessage());
  }

  @Test
  void tierRolesImplyEntitiesAndBecomeClusterRoles() {
    var settings =
        new Environment(
                real(
                    "BULWARK_ROLES", "entities-gold",
                    "BULWARK_TENANT_TIERS", "vip=gold, big=gold"))
            .settings(null);
    assertEquals(java.util.Set.of(NodeRole.ENTITIES), settings.roles());
    assertEquals(java.util.Set.of("gold"), settings.tenancy().hostedTiers());
    assertEquals(List.of("big=gold", "vip=gold"), settings.tenancy().tenantTiers());
    var config = NodeConfig.build(settings);
    assertEquals(List.of("entities", "entities-gold"), config.getStringList("pekko.cluster.roles"));
    assertEquals(List.of("big=gold", "vip=gold"), config.getStringList("bulwark.tenancy.tiers"));
    var bad = new Environment(real("BULWARK_ROLES", "api,entities-Gold"));
    var error = assertThrows(StartupException.class, () -> bad.settings(null));
    assertTrue(error.getMessage().contains("entities-Gold"), error.getMessage());
  }

  @Test
  void schemaTenantsAreReadFromTheirVariableAndChecked() {
    var settings =
        new Environment(real("BULWARK_TENANT_SCHEMAS", " globex, acme.eu-1 ,,")).settings(null);
    assertEquals(java.util.Set.of("acme.eu-1", "globex"), settings.tenancy().schemaTenants());
    assertEquals(
        java.util.Set.of(), new Environment(real()).settings(null).tenancy().schemaTenants());
    var bad = new Environment(real("BULWARK_TENANT_SCHEMAS", "acme,x';drop table accounts"));
    var error = assertThrows(StartupException.class, () -> bad.settings(null));
    assertTrue(error.getMessage().contains("BULWARK_TENANT_SCHEMAS"), error.getMessage());
    // The convenience constructor and the tier-only Tenancy keep every read model shared.
    assertEquals(java.util.Set.of(), NodeSettings.Tenancy.NONE.schemaTenants());
  }

  @Test
  void rateLimitSharesCountTheNodesWithTheApiRole() {
    // Phase 2: only api nodes serve requests, so only they split a tenant's cluster-wide limit.
    assertEquals(
        io.bulwark.http.limits.ClusterShare.API_ROLE,
        NodeRole.API.clusterRole(),
        "http-api counts its share over the role the node gives its API nodes");
  }
}
