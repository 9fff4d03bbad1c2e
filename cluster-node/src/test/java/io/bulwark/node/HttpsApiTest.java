package io.bulwark.node;

import static io.bulwark.node.ApiClient.get;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.http.ApiServer;
import io.bulwark.testing.TestDatabase;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * HTTPS for the API (ADR 0018) on one real node with a certificate generated for this run: the API
 * answers over TLS 1.3 (or 1.2) with HSTS on every response, plain HTTP to the port gets nothing,
 * and a keystore that cannot be opened stops the node naming the variable, never the password.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpsApiTest {
  private static final Path DIR = Path.of("target", "tls", "https-api");
  private static final String HSTS = "max-age=31536000; includeSubDomains";

  private TestDatabase db;
  private TestCertificates.Keystore certificate;
  private TestNode node;
  private HttpClient trusting;
  private Ledger ledger;

  @BeforeAll
  void startANodeServingHttps() throws Exception {
    certificate = TestCertificates.selfSigned(DIR, "bulwark-api");
    db = TestDatabase.create();
    String platformKey = TestNode.newPlatformKey();
    var https =
        new NodeSettings.Tls.Keystore(
            certificate.keystore().toAbsolutePath(), certificate.password());
    node =
        TestNode.seed(db, platformKey)
            .withTls(new NodeSettings.Tls(Optional.of(https), Optional.empty()))
            .start();
    trusting =
        HttpClient.newBuilder()
            .sslContext(certificate.clientContext())
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    ledger =
        new Ledger(new ApiClient(node.baseUrl(), new OpenApiContract(), trusting), platformKey);
  }

  @AfterAll
  void stop() throws Exception {
    try {
      if (node != null) {
        node.stop();
      }
    } finally {
      db.close();
    }
  }

  @Test
  void requestsOverHttpsSucceedAndEveryResponseCarriesHsts() {
    assertTrue(node.baseUrl().startsWith("https://127.0.0.1:"), node.baseUrl());
    String admin = ledger.tenantWithAdmin("tls-tenant");
    var account = ledger.api.send(get("/v1/tenants/tls-tenant/accounts").key(admin));
    assertEquals(200, account.status(), account.body());
    assertEquals(Optional.of(HSTS), account.header("Strict-Transport-Security"));

    var unauthenticated = ledger.api.send(get("/v1/tenants/tls-tenant/accounts"));
    assertEquals(401, unauthenticated.status(), unauthenticated.body());
    assertEquals(Optional.of(HSTS), unauthenticated.header("Strict-Transport-Security"));
    var unknown = ledger.api.send(get("/nowhere"));
    assertEquals(404, unknown.status(), unknown.body());
    assertEquals(Optional.of(HSTS), unknown.header("Strict-Transport-Security"));
  }

  @Test
  void plainHttpToTheApiPortGetsNoAnswer() {
    var plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    var request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.settings.httpPort() + "/v1"))
            .timeout(Duration.ofSeconds(10))
            .build();
    assertThrows(
        IOException.class, () -> plain.send(request, HttpResponse.BodyHandlers.ofString()));
  }

  @Test
  void aCurrentClientGetsTls13AndATls12OnlyClientIsStillServed() throws Exception {
    assertEquals("TLSv1.3", handshake(null));
    assertEquals("TLSv1.2", handshake(new String[] {"TLSv1.2"}));
    var engine = ApiServer.serverEngine(javax.net.ssl.SSLContext.getDefault());
    assertArrayEquals(new String[] {"TLSv1.3", "TLSv1.2"}, engine.getEnabledProtocols());
    for (String suite : engine.getEnabledCipherSuites()) {
      assertTrue(
          suite.startsWith("TLS_AES_")
              || suite.startsWith("TLS_CHACHA20_")
              || suite.startsWith("TLS_ECDHE_"),
          suite);
    }
  }

  @Test
  void aWrongKeystorePasswordStopsTheNodeNamingTheVariableNotThePassword() throws Exception {
    String wrong = "not-the-" + TestCertificates.randomSecret();
    var env = environment(certificate.keystore().toString(), wrong);
    var settings = new Environment(env).settings(null).withExtraConfig(TestNode.TEST_CONFIG);
    var error = assertThrows(StartupException.class, () -> BulwarkNode.start(settings));
    assertTrue(
        error.getMessage().contains("BULWARK_HTTP_TLS_KEYSTORE_PASSWORD"), error.getMessage());
    assertFalse(error.getMessage().contains(wrong), error.getMessage());
    assertFalse(error.getMessage().contains(certificate.password()), error.getMessage());
    assertFalse(settings.toString().contains(wrong), settings.toString());
  }

  @Test
  void aMissingKeystoreStopsTheNodeNamingTheVariable() {
    Path missing = DIR.resolve("no-such.p12").toAbsolutePath();
    var env = environment(missing.toString(), certificate.password());
    var settings = new Environment(env).settings(null).withExtraConfig(TestNode.TEST_CONFIG);
    var error = assertThrows(StartupException.class, () -> BulwarkNode.start(settings));
    assertTrue(error.getMessage().contains("BULWARK_HTTP_TLS_KEYSTORE "), error.getMessage());
    assertTrue(error.getMessage().contains(missing.toString()), error.getMessage());
    assertFalse(error.getMessage().contains(certificate.password()), error.getMessage());
  }

  @Test
  void aFileThatIsNoKeystoreStopsTheNodeNamingTheVariable() throws Exception {
    var env = environment(certificate.certificate().toString(), certificate.password());
    var settings = new Environment(env).settings(null).withExtraConfig(TestNode.TEST_CONFIG);
    var error = assertThrows(StartupException.class, () -> BulwarkNode.start(settings));
    assertTrue(error.getMessage().contains("BULWARK_HTTP_TLS_KEYSTORE"), error.getMessage());
    assertTrue(error.getMessage().contains("not a PKCS12 keystore"), error.getMessage());
  }

  /** A node's environment on this class's database (never reached: the keystore fails first). */
  private Map<String, String> environment(String keystore, String password) {
    Map<String, String> env = new HashMap<>();
    env.put("BULWARK_DB_URL", db.url());
    env.put("BULWARK_DB_PASSWORD", db.password());
    env.put("BULWARK_DB_USER", db.user());
    env.put("BULWARK_PLATFORM_KEY", "k");
    env.put("BULWARK_AUDIT_KEY", NodeSettings.Audit.derivedFrom("k").key());
    env.put("BULWARK_WEBHOOK_KEY", NodeSettings.Webhooks.derivedFrom("k").key());
    env.put("BULWARK_HTTP_PORT", Integer.toString(TestNode.freePort()));
    env.put("BULWARK_MANAGEMENT_PORT", Integer.toString(TestNode.freePort()));
    env.put("BULWARK_CLUSTER_PORT", Integer.toString(TestNode.freePort()));
    env.put("BULWARK_HTTP_TLS_KEYSTORE", keystore);
    env.put("BULWARK_HTTP_TLS_KEYSTORE_PASSWORD", password);
    return env;
  }

  /** The protocol a TLS handshake with the API settles on, offering {@code protocols}. */
  private String handshake(String[] protocols) throws Exception {
    var factory = certificate.clientContext().getSocketFactory();
    try (var socket = (SSLSocket) factory.createSocket("127.0.0.1", node.settings.httpPort())) {
      socket.setSoTimeout(10_000);
      if (protocols != null) {
        socket.setEnabledProtocols(protocols);
      }
      socket.startHandshake();
      return socket.getSession().getProtocol();
    }
  }
}
