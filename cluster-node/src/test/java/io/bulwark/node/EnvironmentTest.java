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
  void webhookSettingsAreRequiredCheckedAndTheKeyNeverPrinted() {
    var env = real();
    env.remove("BULWARK_WEBHOOK_KEY");
    var missing = assertThrows(StartupException.class, () -> new Environment(env).settings(null));
    assertTrue(missing.getMessage().contains("BULWARK_WEBHOOK_KEY"), missing.getMessage());

    var shortKey =
        assertThrows(
            StartupException.class,
            () -> new Environment(real("BULWARK_WEBHOOK_KEY", "short")).settings(null));
    assertTrue(shortKey.getMessage().contains("at least 32"), shortKey.getMessage());

    var badTarget =
        assertThrows(
            StartupException.class,
            () ->
                new Environment(
                        real("BULWARK_WEBHOOK_ALLOWED_TARGETS", "127.0.0.1/32, 10.0.0.0/33"))
                    .settings(null));
    assertTrue(badTarget.getMessage().contains("'10.0.0.0/33'"), badTarget.getMessage());

    var badSchedule =
        assertThrows(
            StartupException.class,
            () ->
                new Environment(real("BULWARK_WEBHOOK_RETRY_SCHEDULE", "5s,soon")).settings(null));
    assertTrue(badSchedule.getMessage().contains("'soon'"), badSchedule.getMessage());

    var settings =
        new Environment(
                real(
                    "BULWARK_WEBHOOK_ALLOWED_TARGETS", "127.0.0.1/32",
                    "BULWARK_WEBHOOK_RETRY_SCHEDULE", "1s,1m"))
            .settings(null);
    assertEquals("127.0.0.1/32", settings.webhooks().allowedTargets());
    assertEquals(java.util.Optional.of("1s,1m"), settings.webhooks().retrySchedule());
    assertFalse(settings.toString().contains(AUDIT_KEY + "-webhooks"));
    assertFalse(settings.webhooks().toString().contains(AUDIT_KEY + "-webhooks"));
  }

  @Test
  void theLocalModeGeneratesAWebhookKeyOnce() throws Exception {
    var env = new Environment(Map.of("BULWARK_DATA_DIR", dir.toString()));
    String first = env.settings("jdbc:postgresql://127.0.0.1:1/postgres").webhooks().key();
    assertEquals(first, env.settings("jdbc:postgresql://127.0.0.1:1/postgres").webhooks().key());
    assertEquals(
        "rw-------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("webhook-key"))));
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
    Files.writeString(dir.resolve("wk"), AUDIT_KEY + "-webhooks\n");
    var settings =
        new Environment(
                Map.of(
                    "BULWARK_DB_URL", "jdbc:postgresql://127.0.0.1:1/x",
                    "BULWARK_PLATFORM_KEY_FILE", dir.resolve("pk").toString(),
                    "BULWARK_DB_PASSWORD_FILE", dir.resolve("pw").toString(),
                    "BULWARK_AUDIT_KEY_FILE", dir.resolve("ak").toString(),
                    "BULWARK_WEBHOOK_KEY_FILE", dir.resolve("wk").toString()))
            .settings(null);
    assertEquals(AUDIT_KEY + "-webhooks", settings.webhooks().key());
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
    env.put("BULWARK_WEBHOOK_KEY", AUDIT_KEY + "-webhooks");
    for (int i = 0; i < more.length; i += 2) {
      env.put(more[i], more[i + 1]);
    }
    return env;
  }

  private static final String[] JWT = {
    "BULWARK_JWT_ISSUER", "https://login.example.com/realms/acme",
    "BULWARK_JWT_JWKS_URL", "https://login.example.com/realms/acme/certs",
    "BULWARK_JWT_AUDIENCE", "bulwark"
  };

  private static Map<String, String> withJwt(String... more) {
    var all = new java.util.ArrayList<>(List.of(JWT));
    all.addAll(List.of(more));
    return real(all.toArray(String[]::new));
  }

  private static String refusal(Map<String, String> env) {
    return assertThrows(StartupException.class, () -> new Environment(env).settings(null))
        .getMessage();
  }

  @Test
  void jwtIsOffUnlessAnIssuerIsGivenAndThenTakesItsDefaults() {
    assertTrue(new Environment(real()).settings(null).jwt().isEmpty());
    var jwt = new Environment(withJwt()).settings(null).jwt().orElseThrow();
    assertEquals("https://login.example.com/realms/acme", jwt.issuer());
    assertEquals("https://login.example.com/realms/acme/certs", jwt.jwksUrl().toString());
    assertEquals("bulwark", jwt.audience());
    assertEquals("bulwark_tenant", jwt.tenantClaim());
    assertEquals("bulwark_roles", jwt.rolesClaim());
    assertEquals(java.util.Set.of("RS256", "ES256"), jwt.algorithms());
    assertEquals(java.time.Duration.ofSeconds(60), jwt.clockSkew());
    var custom =
        new Environment(
                withJwt(
                    "BULWARK_JWT_TENANT_CLAIM", "https://bulwark.example/tenant",
                    "BULWARK_JWT_ROLES_CLAIM", "groups",
                    "BULWARK_JWT_ALGORITHMS", "PS256, ES384",
                    "BULWARK_JWT_CLOCK_SKEW_SECONDS", "30"))
            .settings(null)
            .jwt()
            .orElseThrow();
    assertEquals("https://bulwark.example/tenant", custom.tenantClaim());
    assertEquals("groups", custom.rolesClaim());
    assertEquals(java.util.Set.of("PS256", "ES384"), custom.algorithms());
    assertEquals(java.time.Duration.ofSeconds(30), custom.clockSkew());
  }

  @Test
  void jwtSettingsAreRefusedNamingTheVariable() {
    var noUrl = new java.util.HashMap<>(withJwt());
    noUrl.remove("BULWARK_JWT_JWKS_URL");
    assertTrue(refusal(noUrl).startsWith("BULWARK_JWT_JWKS_URL is required"), refusal(noUrl));
    var noAudience = new java.util.HashMap<>(withJwt());
    noAudience.remove("BULWARK_JWT_AUDIENCE");
    assertTrue(
        refusal(noAudience).startsWith("BULWARK_JWT_AUDIENCE is required"), refusal(noAudience));
    var noIssuer = new java.util.HashMap<>(withJwt());
    noIssuer.remove("BULWARK_JWT_ISSUER");
    String orphan = refusal(noIssuer);
    assertTrue(orphan.startsWith("BULWARK_JWT_ISSUER is required with"), orphan);
    assertTrue(orphan.contains("BULWARK_JWT_AUDIENCE, BULWARK_JWT_JWKS_URL"), orphan);
    String[][] refused = {
      {"BULWARK_JWT_JWKS_URL", "http://login.example.com/certs", "https"},
      {"BULWARK_JWT_JWKS_URL", "not a url", ""},
      {"BULWARK_JWT_ALGORITHMS", "RS256,HS256", "'HS256' is never accepted"},
      {"BULWARK_JWT_ALGORITHMS", "none", "'none' is never accepted"},
      {"BULWARK_JWT_ALGORITHMS", "RS257", "not a supported algorithm"},
      {"BULWARK_JWT_TENANT_CLAIM", "tenant claim!", "claim name"},
      {"BULWARK_JWT_ROLES_CLAIM", "a b", "claim name"},
      {"BULWARK_JWT_CLOCK_SKEW_SECONDS", "3600", "between 0 and 300"},
      {"BULWARK_JWT_CLOCK_SKEW_SECONDS", "soon", "integer"},
    };
    for (String[] r : refused) {
      String message = refusal(withJwt(r[0], r[1]));
      assertTrue(message.startsWith(r[0]), message);
      assertTrue(message.contains(r[2]), message);
    }
    // Plain http is allowed on loopback only, e.g. an IdP in a test.
    var loopback =
        new Environment(withJwt("BULWARK_JWT_JWKS_URL", "http://127.0.0.1:8081/certs"))
            .settings(null);
    assertEquals("http://127.0.0.1:8081/certs", loopback.jwt().orElseThrow().jwksUrl().toString());
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
  void httpsNeedsAKeystoreAndItsPasswordTogetherAndNeverPrintsThePassword() throws Exception {
    assertEquals(NodeSettings.Tls.NONE, new Environment(real()).settings(null).tls());
    var noPassword = new Environment(real("BULWARK_HTTP_TLS_KEYSTORE", "/tls/api.p12"));
    var error = assertThrows(StartupException.class, () -> noPassword.settings(null));
    assertTrue(
        error.getMessage().contains("BULWARK_HTTP_TLS_KEYSTORE_PASSWORD"), error.getMessage());
    var noKeystore = new Environment(real("BULWARK_HTTP_TLS_KEYSTORE_PASSWORD", "s3cret-ks"));
    error = assertThrows(StartupException.class, () -> noKeystore.settings(null));
    assertTrue(error.getMessage().contains("BULWARK_HTTP_TLS_KEYSTORE is not"), error.getMessage());
    assertFalse(error.getMessage().contains("s3cret-ks"), error.getMessage());

    Files.writeString(dir.resolve("kspw"), "s3cret-ks\n");
    var settings =
        new Environment(
                real(
                    "BULWARK_HTTP_TLS_KEYSTORE",
                    "/tls/api.p12",
                    "BULWARK_HTTP_TLS_KEYSTORE_PASSWORD_FILE",
                    dir.resolve("kspw").toString()))
            .settings(null);
    var https = settings.tls().https().orElseThrow();
    assertEquals(Path.of("/tls/api.p12"), https.path());
    assertEquals("s3cret-ks", https.password());
    assertFalse(settings.toString().contains("s3cret-ks"), settings.toString());
    assertFalse(settings.tls().toString().contains("s3cret-ks"), settings.tls().toString());
    assertFalse(https.toString().contains("s3cret-ks"), https.toString());
    assertTrue(settings.toString().contains("https=/tls/api.p12"), settings.toString());
  }

  @Test
  void clusterTlsIsOnOrOffAndReadsItsDirectory() {
    var on = new Environment(real("BULWARK_CLUSTER_TLS", "on")).settings(null);
    assertEquals(
        Path.of(SecurityEnvironment.DEFAULT_CLUSTER_TLS_DIR),
        on.tls().clusterDirectory().orElseThrow());
    var config = NodeConfig.build(on);
    assertEquals("tls-tcp", config.getString("pekko.remote.artery.transport"));
    assertEquals(
        SecurityEnvironment.DEFAULT_CLUSTER_TLS_DIR + "/tls.key",
        config.getString("pekko.remote.artery.ssl.rotating-keys-engine.key-file"));
    assertEquals(
        "tcp",
        NodeConfig.build(new Environment(real()).settings(null))
            .getString("pekko.remote.artery.transport"),
        "plain TCP unless asked");

    var elsewhere =
        new Environment(real("BULWARK_CLUSTER_TLS", "on", "BULWARK_CLUSTER_TLS_DIR", "/pki"))
            .settings(null);
    assertEquals(Path.of("/pki"), elsewhere.tls().clusterDirectory().orElseThrow());

    var yes = new Environment(real("BULWARK_CLUSTER_TLS", "yes"));
    var error = assertThrows(StartupException.class, () -> yes.settings(null));
    assertTrue(error.getMessage().contains("BULWARK_CLUSTER_TLS"), error.getMessage());
    var dirOnly = new Environment(real("BULWARK_CLUSTER_TLS_DIR", "/pki"));
    error = assertThrows(StartupException.class, () -> dirOnly.settings(null));
    assertTrue(error.getMessage().contains("BULWARK_CLUSTER_TLS=on"), error.getMessage());
  }

  @Test
  void aClusterTlsDirectoryWithoutItsFilesStopsTheNodeNamingIt() throws Exception {
    var error = assertThrows(StartupException.class, () -> TlsMaterial.checkClusterDirectory(dir));
    assertTrue(error.getMessage().contains("BULWARK_CLUSTER_TLS_DIR"), error.getMessage());
    assertTrue(error.getMessage().contains("tls.key"), error.getMessage());
    Files.writeString(dir.resolve("tls.key"), "not a key");
    Files.writeString(dir.resolve("tls.crt"), "not a certificate");
    Files.writeString(dir.resolve("ca.crt"), "not a certificate");
    error = assertThrows(StartupException.class, () -> TlsMaterial.checkClusterDirectory(dir));
    assertTrue(error.getMessage().contains("RSA private key"), error.getMessage());
  }

  @Test
  void aDatabaseRootCertificateRequiresVerifyFullOnEveryDatabaseUrl() throws Exception {
    var ca = new TestCertificates.Authority(dir.resolve("ca"), "env");
    String root = ca.certificate.toAbsolutePath().toString();
    var settings =
        new Environment(
                real(
                    "BULWARK_DB_URL", "jdbc:postgresql://db:5432/app?connectTimeout=5",
                    "BULWARK_DB_SSL_ROOT_CERT", root,
                    "BULWARK_DB_READ_URL", "jdbc:postgresql://replica:5432/app",
                    "BULWARK_DB_READ_PASSWORD", "rpw"))
            .settings(null);
    String encoded = java.net.URLEncoder.encode(root, java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(
        "jdbc:postgresql://db:5432/app?connectTimeout=5&sslmode=verify-full&sslrootcert=" + encoded,
        settings.dbUrl());
    assertEquals(
        "jdbc:postgresql://replica:5432/app?sslmode=verify-full&sslrootcert=" + encoded,
        settings.readDatabase().orElseThrow().url());

    var conflicting =
        new Environment(
            real(
                "BULWARK_DB_URL",
                "jdbc:postgresql://db/app?sslmode=require",
                "BULWARK_DB_SSL_ROOT_CERT",
                root));
    var error = assertThrows(StartupException.class, () -> conflicting.settings(null));
    assertTrue(error.getMessage().contains("BULWARK_DB_URL sets 'sslmode'"), error.getMessage());

    var missing =
        new Environment(real("BULWARK_DB_SSL_ROOT_CERT", dir.resolve("absent.crt").toString()));
    error = assertThrows(StartupException.class, () -> missing.settings(null));
    assertTrue(error.getMessage().contains("BULWARK_DB_SSL_ROOT_CERT"), error.getMessage());

    Files.writeString(dir.resolve("garbage.crt"), "no certificate here");
    var garbage =
        new Environment(real("BULWARK_DB_SSL_ROOT_CERT", dir.resolve("garbage.crt").toString()));
    error = assertThrows(StartupException.class, () -> garbage.settings(null));
    assertTrue(error.getMessage().contains("BULWARK_DB_SSL_ROOT_CERT"), error.getMessage());

    var embedded =
        new Environment(
            Map.of("BULWARK_DATA_DIR", dir.toString(), "BULWARK_DB_SSL_ROOT_CERT", root));
    error = assertThrows(StartupException.class, () -> embedded.settings("jdbc:x"));
    assertTrue(error.getMessage().contains("needs BULWARK_DB_URL"), error.getMessage());
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
