package io.bulwark.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.projections.SharedPool;
import io.bulwark.testing.Eventually;
import io.bulwark.testing.TestDatabase;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * TLS to PostgreSQL (ADR 0018): with BULWARK_DB_SSL_ROOT_CERT a node requires {@code
 * sslmode=verify-full}. Against a PostgreSQL serving TLS with a certificate for 127.0.0.1 issued by
 * a test CA, a node started from its environment migrates, becomes ready and talks TLS on its pool;
 * with another CA's root, or to a server without TLS, it does not start.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DatabaseTlsTest {
  private static final Path DIR = Path.of("target", "tls", "database");

  private TestCertificates.Authority authority;
  private EmbeddedPostgres postgres;
  private BulwarkNode node;
  private Map<String, String> env;

  @BeforeAll
  void startPostgresWithTls() throws Exception {
    authority = new TestCertificates.Authority(DIR, "db");
    Path server = authority.issueForLoopback("server", "bulwark-db");
    postgres =
        EmbeddedPostgres.builder()
            .setServerConfig("listen_addresses", "127.0.0.1")
            .setServerConfig("ssl", "on")
            .setServerConfig(
                "ssl_cert_file", server.resolve(TlsMaterial.CERT_FILE).toAbsolutePath().toString())
            .setServerConfig(
                "ssl_key_file", server.resolve(TlsMaterial.KEY_FILE).toAbsolutePath().toString())
            .setServerConfig("ssl_min_protocol_version", "TLSv1.2")
            .start();
    String url = "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres";
    env = nodeEnvironment(url, authority.certificate);
    env.put("BULWARK_DB_READ_URL", url);
    env.put("BULWARK_DB_READ_PASSWORD", TestDatabase.PASSWORD);
  }

  @AfterAll
  void stop() throws Exception {
    try {
      if (node != null) {
        node.stop().toCompletableFuture().get(60, java.util.concurrent.TimeUnit.SECONDS);
        node.system()
            .getWhenTerminated()
            .toCompletableFuture()
            .get(60, java.util.concurrent.TimeUnit.SECONDS);
      }
    } finally {
      postgres.close();
    }
  }

  @Test
  void aNodeWithTheRightRootConnectsWithVerifyFullAndBecomesReady() throws Exception {
    var settings = new Environment(env).settings(null).withExtraConfig(TestNode.TEST_CONFIG);
    assertTrue(settings.dbUrl().contains("sslmode=verify-full&sslrootcert="), settings.dbUrl());
    assertTrue(
        settings.readDatabase().orElseThrow().url().contains("sslmode=verify-full"),
        "the replica's URL too");
    node = BulwarkNode.start(settings);

    try (var connection = SharedPool.dataSource(node.system()).getConnection();
        var statement = connection.createStatement();
        var rows =
            statement.executeQuery(
                "SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
      assertTrue(rows.next());
      assertTrue(rows.getBoolean("ssl"), "the node's pool talks TLS");
      assertTrue(rows.getString("version").startsWith("TLSv1."), rows.getString("version"));
    }
    var management = "http://127.0.0.1:" + settings.managementPort() + "/ready";
    Eventually.await(
        Duration.ofSeconds(60), () -> assertEquals(200, NodeProcess.status(management)));
  }

  @Test
  void anotherCasRootStopsTheNodeAtStartup() throws Exception {
    var other = new TestCertificates.Authority(DIR.resolve("other"), "other");
    String url = "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres";
    var settings =
        new Environment(nodeEnvironment(url, other.certificate))
            .settings(null)
            .withExtraConfig(TestNode.TEST_CONFIG);
    var error = assertThrows(StartupException.class, () -> BulwarkNode.start(settings));
    assertTrue(error.getMessage().contains("BULWARK_DB_URL"), error.getMessage());
  }

  @Test
  void aServerWithoutTlsIsRefused() throws Exception {
    try (var plain = TestDatabase.createEmpty()) {
      var settings =
          new Environment(nodeEnvironment(plain.url(), authority.certificate))
              .settings(null)
              .withExtraConfig(TestNode.TEST_CONFIG);
      var error = assertThrows(StartupException.class, () -> BulwarkNode.start(settings));
      assertTrue(error.getMessage().contains("BULWARK_DB_URL"), error.getMessage());
    }
  }

  private static Map<String, String> nodeEnvironment(String url, Path rootCert) {
    Map<String, String> env = new HashMap<>();
    env.put("BULWARK_DB_URL", url);
    env.put("BULWARK_DB_USER", TestDatabase.USER);
    env.put("BULWARK_DB_PASSWORD", TestDatabase.PASSWORD);
    env.put("BULWARK_DB_SSL_ROOT_CERT", rootCert.toAbsolutePath().toString());
    String platformKey = TestNode.newPlatformKey();
    env.put("BULWARK_PLATFORM_KEY", platformKey);
    env.put("BULWARK_AUDIT_KEY", NodeSettings.Audit.derivedFrom(platformKey).key());
    env.put("BULWARK_WEBHOOK_KEY", NodeSettings.Webhooks.derivedFrom(platformKey).key());
    env.put("BULWARK_HTTP_PORT", Integer.toString(TestNode.freePort()));
    env.put("BULWARK_MANAGEMENT_PORT", Integer.toString(TestNode.freePort()));
    env.put("BULWARK_CLUSTER_PORT", Integer.toString(TestNode.freePort()));
    return env;
  }
}
