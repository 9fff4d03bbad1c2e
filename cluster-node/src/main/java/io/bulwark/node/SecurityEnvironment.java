package io.bulwark.node;

import io.bulwark.http.auth.JwtSettings;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.ToIntBiFunction;

/**
 * The BULWARK_* variables of transport security and identity (ADR 0018, 0021): TLS for the API,
 * between nodes and to PostgreSQL, and bearer JWTs of an identity provider. Part of {@link
 * Environment}.
 */
final class SecurityEnvironment {
  private final Map<String, String> env;
  private final Secrets secrets;
  private final ToIntBiFunction<String, Integer> intVar;

  SecurityEnvironment(
      Map<String, String> env, Secrets secrets, ToIntBiFunction<String, Integer> intVar) {
    this.env = env;
    this.secrets = secrets;
    this.intVar = intVar;
  }

  private int intVar(String name, int fallback) {
    return intVar.applyAsInt(name, fallback);
  }

  /**
   * HTTPS for the API (BULWARK_HTTP_TLS_KEYSTORE, a PKCS12 file, and its password) and Artery
   * tls-tcp between nodes (BULWARK_CLUSTER_TLS=on, PEM files in BULWARK_CLUSTER_TLS_DIR). The files
   * themselves are checked when the node starts ({@link TlsMaterial}).
   */
  NodeSettings.Tls tls() {
    String keystore = env.get(TlsMaterial.HTTP_KEYSTORE);
    Optional<String> keystorePassword = secrets.read(TlsMaterial.HTTP_KEYSTORE_PASSWORD);
    Optional<NodeSettings.Tls.Keystore> https = Optional.empty();
    if (!blank(keystore)) {
      String pw =
          keystorePassword.orElseThrow(
              () ->
                  new StartupException(
                      TlsMaterial.HTTP_KEYSTORE_PASSWORD
                          + " or "
                          + TlsMaterial.HTTP_KEYSTORE_PASSWORD
                          + "_FILE is required with "
                          + TlsMaterial.HTTP_KEYSTORE));
      https = Optional.of(new NodeSettings.Tls.Keystore(Path.of(keystore.strip()), pw));
    } else if (keystorePassword.isPresent()) {
      throw new StartupException(
          TlsMaterial.HTTP_KEYSTORE_PASSWORD
              + " is set but "
              + TlsMaterial.HTTP_KEYSTORE
              + " is not: set both for HTTPS, or neither");
    }
    String raw = env.getOrDefault(TlsMaterial.CLUSTER_TLS, "off").strip();
    boolean clusterTls =
        switch (raw) {
          case "", "off" -> false;
          case "on" -> true;
          default ->
              throw new StartupException(
                  TlsMaterial.CLUSTER_TLS + " is '" + raw + "'; expected on or off");
        };
    String dir = env.get(TlsMaterial.CLUSTER_TLS_DIR);
    if (!clusterTls && !blank(dir)) {
      throw new StartupException(
          TlsMaterial.CLUSTER_TLS_DIR
              + " is set but "
              + TlsMaterial.CLUSTER_TLS
              + " is not on: set "
              + TlsMaterial.CLUSTER_TLS
              + "=on for TLS between nodes, or unset the directory");
    }
    Optional<Path> cluster =
        clusterTls
            ? Optional.of(Path.of(blank(dir) ? DEFAULT_CLUSTER_TLS_DIR : dir.strip()))
            : Optional.empty();
    return new NodeSettings.Tls(https, cluster);
  }

  /** Where Kubernetes mounts the cluster's TLS secret (k8s/components/tls). */
  static final String DEFAULT_CLUSTER_TLS_DIR = "/var/run/secrets/bulwark/cluster-tls";

  /**
   * With BULWARK_DB_SSL_ROOT_CERT, the JDBC URL named {@code name} requires TLS with the server's
   * certificate checked against that root and its host name (pgjdbc's {@code sslmode=verify-full}
   * and {@code sslrootcert}). A URL that already says how to use TLS is refused rather than
   * silently overridden either way.
   */
  String withDatabaseTls(String name, String url) {
    String rootCert = env.get(TlsMaterial.DB_SSL_ROOT_CERT);
    if (blank(rootCert)) {
      return url;
    }
    Path root = Path.of(rootCert.strip()).toAbsolutePath().normalize();
    TlsMaterial.certificates(root, TlsMaterial.DB_SSL_ROOT_CERT);
    int query = url.indexOf('?');
    if (query >= 0) {
      for (String parameter : url.substring(query + 1).split("&")) {
        String key = parameter.split("=", 2)[0].strip().toLowerCase(java.util.Locale.ROOT);
        if (Set.of("ssl", "sslmode", "sslrootcert", "sslfactory").contains(key)) {
          throw new StartupException(
              name
                  + " sets '"
                  + key
                  + "' and "
                  + TlsMaterial.DB_SSL_ROOT_CERT
                  + " is set: remove it from the URL (the root certificate turns on"
                  + " sslmode=verify-full) or unset "
                  + TlsMaterial.DB_SSL_ROOT_CERT);
        }
      }
    }
    String encoded =
        java.net.URLEncoder.encode(root.toString(), java.nio.charset.StandardCharsets.UTF_8);
    return url + (query >= 0 ? "&" : "?") + "sslmode=verify-full&sslrootcert=" + encoded;
  }

  /**
   * Bearer JWTs of an enterprise's identity provider (ADR 0021): on with BULWARK_JWT_ISSUER, which
   * then needs BULWARK_JWT_JWKS_URL and BULWARK_JWT_AUDIENCE; off when no BULWARK_JWT_* is set.
   */
  Optional<JwtSettings> jwt() {
    String issuer = env.get("BULWARK_JWT_ISSUER");
    if (blank(issuer)) {
      var stray =
          env.keySet().stream()
              .filter(k -> k.startsWith("BULWARK_JWT_") && !blank(env.get(k)))
              .sorted()
              .toList();
      if (!stray.isEmpty()) {
        throw new StartupException(
            "BULWARK_JWT_ISSUER is required with " + String.join(", ", stray));
      }
      return Optional.empty();
    }
    String url = env.get("BULWARK_JWT_JWKS_URL");
    if (blank(url)) {
      throw new StartupException(
          "BULWARK_JWT_JWKS_URL is required with BULWARK_JWT_ISSUER: the identity provider's"
              + " signing keys (its jwks_uri)");
    }
    String audience = env.get("BULWARK_JWT_AUDIENCE");
    if (blank(audience)) {
      throw new StartupException(
          "BULWARK_JWT_AUDIENCE is required with BULWARK_JWT_ISSUER: the aud a token must carry");
    }
    for (var given :
        Map.of("BULWARK_JWT_ISSUER", issuer, "BULWARK_JWT_AUDIENCE", audience).entrySet()) {
      if (given.getValue().strip().length() > 500) {
        throw new StartupException(given.getKey() + " is longer than 500 characters");
      }
    }
    var jwt =
        jwtVar(
            "BULWARK_JWT_JWKS_URL",
            () ->
                JwtSettings.of(issuer.strip(), java.net.URI.create(url.strip()), audience.strip()));
    var base = jwt;
    jwt =
        jwtVar(
            "BULWARK_JWT_TENANT_CLAIM",
            () ->
                base.withClaims(
                    orDefault("BULWARK_JWT_TENANT_CLAIM", JwtSettings.DEFAULT_TENANT_CLAIM),
                    base.rolesClaim()));
    var withTenant = jwt;
    jwt =
        jwtVar(
            "BULWARK_JWT_ROLES_CLAIM",
            () ->
                withTenant.withClaims(
                    withTenant.tenantClaim(),
                    orDefault("BULWARK_JWT_ROLES_CLAIM", JwtSettings.DEFAULT_ROLES_CLAIM)));
    String algorithms = env.get("BULWARK_JWT_ALGORITHMS");
    if (!blank(algorithms)) {
      var withRoles = jwt;
      jwt =
          jwtVar(
              "BULWARK_JWT_ALGORITHMS",
              () -> withRoles.withAlgorithms(JwtSettings.parseAlgorithms(algorithms)));
    }
    int skew =
        intVar("BULWARK_JWT_CLOCK_SKEW_SECONDS", (int) JwtSettings.DEFAULT_CLOCK_SKEW.toSeconds());
    var withAlgorithms = jwt;
    jwt =
        jwtVar(
            "BULWARK_JWT_CLOCK_SKEW_SECONDS",
            () -> withAlgorithms.withClockSkew(java.time.Duration.ofSeconds(skew)));
    return Optional.of(jwt);
  }

  /** Builds JWT settings, naming {@code name} when they are refused. */
  private static JwtSettings jwtVar(String name, java.util.function.Supplier<JwtSettings> build) {
    try {
      return build.get();
    } catch (IllegalArgumentException e) {
      throw new StartupException(name + ": " + e.getMessage());
    }
  }

  private String orDefault(String name, String fallback) {
    String raw = env.get(name);
    return blank(raw) ? fallback : raw.strip();
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
