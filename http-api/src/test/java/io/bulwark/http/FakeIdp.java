package io.bulwark.http;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import io.bulwark.http.auth.JwtSettings;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An identity provider on loopback: it publishes a JWKS (an RSA and an EC key to begin with),
 * counts how often it is fetched, and signs tokens for the tests.
 */
final class FakeIdp implements AutoCloseable {
  static final String ISSUER = "https://idp.example.test/realms/enterprise";
  static final String AUDIENCE = "bulwark-api";

  final RSAKey rsa = rsa("rsa-1");
  final ECKey ec = ec("ec-1");
  final AtomicInteger jwksRequests = new AtomicInteger();

  private volatile String published;
  private final HttpServer server;

  FakeIdp() throws Exception {
    publish(rsa, ec);
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/jwks",
        exchange -> {
          jwksRequests.incrementAndGet();
          byte[] body = published.getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, body.length);
          try (var out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
  }

  static RSAKey rsa(String kid) {
    try {
      return new RSAKeyGenerator(2048).keyID(kid).keyUse(KeyUse.SIGNATURE).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  static ECKey ec(String kid) {
    try {
      return new ECKeyGenerator(Curve.P_256).keyID(kid).keyUse(KeyUse.SIGNATURE).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  URI jwksUrl() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/jwks");
  }

  JwtSettings settings() {
    return JwtSettings.of(ISSUER, jwksUrl(), AUDIENCE);
  }

  /** From now on the JWKS holds exactly these keys (their public parts). */
  void publish(JWK... keys) {
    published = new JWKSet(Arrays.stream(keys).map(JWK::toPublicJWK).toList()).toString(true);
  }

  /** Claims of a token the IdP would issue for Bulwark, valid for 5 minutes. */
  static JWTClaimsSet.Builder claims(String tenant, String... roles) {
    Instant now = Instant.now();
    return new JWTClaimsSet.Builder()
        .issuer(ISSUER)
        .audience(AUDIENCE)
        .subject("user-1")
        .issueTime(Date.from(now))
        .expirationTime(Date.from(now.plus(Duration.ofMinutes(5))))
        .claim(JwtSettings.DEFAULT_TENANT_CLAIM, tenant)
        .claim(JwtSettings.DEFAULT_ROLES_CLAIM, List.of(roles));
  }

  String token(String tenant, String... roles) {
    return sign(rsa, claims(tenant, roles).build());
  }

  /** Signed with {@code key}, under its kid and the algorithm of its type (RS256 or ES256). */
  static String sign(JWK key, JWTClaimsSet claims) {
    try {
      boolean isRsa = key instanceof RSAKey;
      var header =
          new JWSHeader.Builder(isRsa ? JWSAlgorithm.RS256 : JWSAlgorithm.ES256)
              .keyID(key.getKeyID())
              .build();
      var jwt = new SignedJWT(header, claims);
      jwt.sign(isRsa ? new RSASSASigner((RSAKey) key) : new ECDSASigner((ECKey) key));
      return io.bulwark.testing.TestSecrets.remember(jwt.serialize());
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
