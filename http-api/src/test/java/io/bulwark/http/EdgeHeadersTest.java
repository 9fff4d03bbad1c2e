package io.bulwark.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Security headers on every answer, and CORS only for the configured origins. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EdgeHeadersTest {
  private static final String APP = "https://app.example.com";
  private RouteServer withCors;
  private RouteServer withoutCors;

  @BeforeAll
  void start() throws Exception {
    withCors = new RouteServer("bulwark.http.cors.allowed-origins = \"" + APP + "\"");
    withoutCors = new RouteServer("");
  }

  @AfterAll
  void stop() {
    withCors.close();
    withoutCors.close();
  }

  private static Optional<String> header(HttpResponse<String> response, String name) {
    return response.headers().firstValue(name);
  }

  @Test
  void everyAnswerCarriesTheSecurityHeaders() throws Exception {
    for (String path : new String[] {"/v1/tenants/acme/accounts", "/nowhere"}) {
      var response = withoutCors.send(withoutCors.request(path).GET().build());
      assertEquals("nosniff", header(response, "X-Content-Type-Options").orElseThrow(), path);
      assertEquals("no-store", header(response, "Cache-Control").orElseThrow(), path);
      assertEquals("DENY", header(response, "X-Frame-Options").orElseThrow(), path);
      assertEquals("no-referrer", header(response, "Referrer-Policy").orElseThrow(), path);
      assertTrue(
          header(response, "Content-Security-Policy").orElseThrow().contains("default-src 'none'"));
    }
  }

  @Test
  void withoutConfiguredOriginsThereIsNoCors() throws Exception {
    var response =
        withoutCors.send(
            withoutCors
                .request("/v1/tenants/acme/accounts")
                .header("Origin", APP)
                .header("Authorization", "Bearer " + withoutCors.viewerKey)
                .GET()
                .build());
    assertEquals(Optional.empty(), header(response, "Access-Control-Allow-Origin"));
    var preflight = withoutCors.send(preflight(withoutCors, APP));
    assertEquals(Optional.empty(), header(preflight, "Access-Control-Allow-Origin"));
  }

  @Test
  void anAllowedOriginGetsItsPreflightAndItsAnswers() throws Exception {
    var preflight = withCors.send(preflight(withCors, APP));
    assertEquals(204, preflight.statusCode());
    assertEquals(APP, header(preflight, "Access-Control-Allow-Origin").orElseThrow());
    assertTrue(
        header(preflight, "Access-Control-Allow-Headers").orElseThrow().contains("Authorization"));
    assertEquals(Optional.empty(), header(preflight, "Access-Control-Allow-Credentials"));
    var response =
        withCors.send(
            withCors
                .request("/v1/tenants/acme/accounts/a")
                .header("Origin", APP)
                .header("Authorization", "Bearer not-a-key")
                .GET()
                .build());
    assertEquals(401, response.statusCode());
    assertEquals(APP, header(response, "Access-Control-Allow-Origin").orElseThrow());
    assertTrue(
        header(response, "Access-Control-Expose-Headers").orElseThrow().contains("X-Request-Id"));
  }

  @Test
  void anotherOriginGetsNoCorsHeaders() throws Exception {
    var preflight = withCors.send(preflight(withCors, "https://evil.example"));
    assertEquals(Optional.empty(), header(preflight, "Access-Control-Allow-Origin"));
    assertTrue(preflight.statusCode() >= 400, "not a successful preflight");
  }

  @Test
  void originsMustBeExact() {
    assertThrows(IllegalArgumentException.class, () -> EdgeHeaders.parseOrigins("*"));
    assertThrows(
        IllegalArgumentException.class, () -> EdgeHeaders.parseOrigins("https://a.example/path"));
    assertEquals(2, EdgeHeaders.parseOrigins("https://a.example, http://127.0.0.1:3000").size());
  }

  private static HttpRequest preflight(RouteServer server, String origin) {
    return server
        .request("/v1/tenants/acme/accounts")
        .header("Origin", origin)
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "authorization, content-type")
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
        .build();
  }
}
