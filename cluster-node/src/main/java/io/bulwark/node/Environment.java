package io.bulwark.node;

import io.bulwark.domain.placement.TenantPlacement;
import io.bulwark.http.auth.JwtSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns the documented BULWARK_* environment variables into {@link NodeSettings}. */
final class Environment {
  private static final Logger log = LoggerFactory.getLogger(Environment.class);

  private final Map<String, String> env;
  private final Secrets secrets;

  Environment(Map<String, String> env) {
    this.env = env;
    this.secrets = new Secrets(env);
  }

  boolean usesEmbeddedDatabase() {
    return blank(env.get("BULWARK_DB_URL"));
  }

  boolean telemetry() {
    return Telemetry.enabled(env);
  }

  Path dataDir() {
    return Path.of(env.getOrDefault("BULWARK_DATA_DIR", "./data")).toAbsolutePath().normalize();
  }

  int embeddedDbPort() {
    return intVar("BULWARK_EMBEDDED_DB_PORT", 0);
  }

  NodeSettings settings(String embeddedJdbcUrl) {
    String host = env.getOrDefault("BULWARK_CLUSTER_HOST", "127.0.0.1");
    int clusterPort = intVar("BULWARK_CLUSTER_PORT", 25520);
    var discovery = discovery();
    if (discovery == NodeSettings.Discovery.KUBERNETES && !blank(env.get("BULWARK_SEED_NODES"))) {
      throw new StartupException(
          "BULWARK_SEED_NODES and BULWARK_DISCOVERY=kubernetes exclude each other: Cluster"
              + " Bootstrap finds the seed nodes");
    }
    List<String> seeds =
        discovery == NodeSettings.Discovery.KUBERNETES ? List.of() : seedNodes(host, clusterPort);
    String url;
    String user;
    String password;
    Optional<NodeSettings.Migration> migration;
    if (usesEmbeddedDatabase()) {
      if (!blank(env.get(TlsMaterial.DB_SSL_ROOT_CERT))) {
        throw new StartupException(
            TlsMaterial.DB_SSL_ROOT_CERT
                + " needs BULWARK_DB_URL: the embedded database listens on loopback only");
      }
      // As in production: the superuser migrates, the node works as a member of bulwark_app.
      url = embeddedJdbcUrl;
      user = EmbeddedDatabase.APP_USER;
      password = "";
      migration = Optional.of(new NodeSettings.Migration(EmbeddedDatabase.SUPERUSER, ""));
    } else {
      url = withDatabaseTls("BULWARK_DB_URL", env.get("BULWARK_DB_URL"));
      user = env.getOrDefault("BULWARK_DB_USER", "bulwark");
      password =
          secrets
              .read("BULWARK_DB_PASSWORD")
              .orElseThrow(
                  () ->
                      new StartupException(
                          "BULWARK_DB_PASSWORD or BULWARK_DB_PASSWORD_FILE is required with BULWARK_DB_URL"));
      migration = migration(user);
    }
    return new NodeSettings(
        host,
        clusterPort,
        seeds,
        intVar("BULWARK_HTTP_PORT", 8080),
        intVar("BULWARK_MANAGEMENT_PORT", 8558),
        url,
        user,
        password,
        platformKey(),
        telemetry() ? "" : "pekko.remote.artery.advanced.instruments = []",
        roles(),
        discovery,
        readDatabase(),
        tenancy(),
        keyList("BULWARK_PLATFORM_KEY_PREVIOUS"),
        audit(),
        migration,
        tls(),
        jwt());
  }

  /**
   * The login that runs the migrations (ADR 0019): BULWARK_DB_MIGRATION_USER with its password,
   * which has no default. Without it the migrations run as the node's own user, as before.
   */
  private Optional<NodeSettings.Migration> migration(String appUser) {
    String user = env.get("BULWARK_DB_MIGRATION_USER");
    Optional<String> password = secrets.read("BULWARK_DB_MIGRATION_PASSWORD");
    if (blank(user)) {
      if (password.isPresent()) {
        throw new StartupException(
            "BULWARK_DB_MIGRATION_PASSWORD is set but BULWARK_DB_MIGRATION_USER is not");
      }
      log.info(
          "Migrations run as {}, the node's own user, which therefore needs DDL rights; set"
              + " BULWARK_DB_MIGRATION_USER to keep them out of the node's pool",
          appUser);
      return Optional.empty();
    }
    return Optional.of(
        new NodeSettings.Migration(
            user.strip(),
            password.orElseThrow(
                () ->
                    new StartupException(
                        "BULWARK_DB_MIGRATION_PASSWORD or BULWARK_DB_MIGRATION_PASSWORD_FILE is"
                            + " required with BULWARK_DB_MIGRATION_USER"))));
  }

  /**
   * HTTPS for the API (BULWARK_HTTP_TLS_KEYSTORE, a PKCS12 file, and its password) and Artery
   * tls-tcp between nodes (BULWARK_CLUSTER_TLS=on, PEM files in BULWARK_CLUSTER_TLS_DIR). The files
   * themselves are checked when the node starts ({@link TlsMaterial}).
   */
  private NodeSettings.Tls tls() {
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
  private String withDatabaseTls(String name, String url) {
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
  private Optional<JwtSettings> jwt() {
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

  /** Checks BULWARK_ROLES alone, as a node would at startup. */
  void checkRoles() {
    roles();
    tenancy();
  }

  /** The roles of BULWARK_ROLES without its tier roles ({@code entities-<tier>}). */
  private Set<NodeRole> roles() {
    String raw = env.get("BULWARK_ROLES");
    if (blank(raw)) {
      return NodeRole.ALL;
    }
    // A tier role (entities-<tier>) is read by tenancy() and implies entities.
    boolean hostsTier =
        java.util.Arrays.stream(raw.split(","))
            .anyMatch(r -> r.strip().startsWith(TenantPlacement.TIER_ROLE_PREFIX));
    String plain =
        java.util.Arrays.stream(raw.split(","))
            .map(String::strip)
            .filter(r -> !r.isEmpty() && !r.startsWith(TenantPlacement.TIER_ROLE_PREFIX))
            .collect(java.util.stream.Collectors.joining(","));
    if (plain.isEmpty() && hostsTier) {
      return Set.of(NodeRole.ENTITIES);
    }
    try {
      var roles = java.util.EnumSet.copyOf(NodeRole.parse(plain));
      if (hostsTier) {
        roles.add(NodeRole.ENTITIES);
      }
      return Set.copyOf(roles);
    } catch (IllegalArgumentException e) {
      throw new StartupException("BULWARK_ROLES: " + e.getMessage());
    }
  }

  /**
   * Tier roles of BULWARK_ROLES ({@code entities-gold} hosts the tier gold, and implies entities)
   * and the cluster's tenant tiers, BULWARK_TENANT_TIERS ("tenant=tier,...").
   */
  private NodeSettings.Tenancy tenancy() {
    Set<String> hosted = new java.util.TreeSet<>();
    for (String role : env.getOrDefault("BULWARK_ROLES", "").split(",")) {
      String r = role.strip();
      if (r.startsWith(TenantPlacement.TIER_ROLE_PREFIX)) {
        String tier = r.substring(TenantPlacement.TIER_ROLE_PREFIX.length());
        if (!TenantPlacement.isValidTier(tier)) {
          throw new StartupException(
              "BULWARK_ROLES: '" + r + "' names no valid tier (lower-case letters and digits)");
        }
        hosted.add(tier);
      }
    }
    String raw = env.get("BULWARK_TENANT_TIERS");
    List<String> tenantTiers =
        blank(raw)
            ? List.of()
            : java.util.Arrays.stream(raw.split(","))
                .map(String::strip)
                .filter(e -> !e.isEmpty())
                .sorted()
                .toList();
    return new NodeSettings.Tenancy(hosted, tenantTiers);
  }

  private NodeSettings.Discovery discovery() {
    String raw = env.getOrDefault("BULWARK_DISCOVERY", "seed-nodes").strip();
    return switch (raw) {
      case "", "seed-nodes" -> NodeSettings.Discovery.SEED_NODES;
      case "kubernetes" -> NodeSettings.Discovery.KUBERNETES;
      default ->
          throw new StartupException(
              "BULWARK_DISCOVERY is '" + raw + "'; expected seed-nodes or kubernetes");
    };
  }

  /** The replica that list endpoints read from; absent, they read from the primary. */
  private Optional<NodeSettings.ReadDatabase> readDatabase() {
    String url = env.get("BULWARK_DB_READ_URL");
    if (blank(url)) {
      return Optional.empty();
    }
    String user =
        env.getOrDefault("BULWARK_DB_READ_USER", env.getOrDefault("BULWARK_DB_USER", "bulwark"));
    String password =
        secrets
            .read("BULWARK_DB_READ_PASSWORD")
            .orElseThrow(
                () ->
                    new StartupException(
                        "BULWARK_DB_READ_PASSWORD or BULWARK_DB_READ_PASSWORD_FILE is required with BULWARK_DB_READ_URL"));
    return Optional.of(
        new NodeSettings.ReadDatabase(
            withDatabaseTls("BULWARK_DB_READ_URL", url),
            user,
            password,
            intVar("BULWARK_DB_READ_MAX_CONNECTIONS", 8)));
  }

  private List<String> seedNodes(String host, int port) {
    String raw = env.get("BULWARK_SEED_NODES");
    if (blank(raw)) {
      return List.of(host + ":" + port);
    }
    List<String> seeds = new ArrayList<>();
    for (String seed : raw.split(",")) {
      String s = seed.strip();
      if (!s.matches("^[A-Za-z0-9.\\-]+:[0-9]{1,5}$")) {
        throw new StartupException("BULWARK_SEED_NODES holds '" + s + "'; expected host:port");
      }
      seeds.add(s);
    }
    return seeds;
  }

  /**
   * The platform key: from the environment; in the embedded local mode, generated once into the
   * data directory (owner-only) when none is given. Its value is never logged, only the file.
   */
  private String platformKey() {
    Optional<String> configured = secrets.read("BULWARK_PLATFORM_KEY");
    if (configured.isPresent()) {
      return configured.get();
    }
    if (!usesEmbeddedDatabase()) {
      throw new StartupException(
          "BULWARK_PLATFORM_KEY or BULWARK_PLATFORM_KEY_FILE is required with BULWARK_DB_URL");
    }
    return LocalSecrets.platformKey(dataDir());
  }

  /**
   * The audit chain's key: from the environment; in the embedded local mode, generated once into
   * the data directory. Earlier keys (BULWARK_AUDIT_PREVIOUS_KEYS, comma-separated) still verify.
   */
  private NodeSettings.Audit audit() {
    String key =
        secrets
            .read("BULWARK_AUDIT_KEY")
            .orElseGet(
                () -> {
                  if (!usesEmbeddedDatabase()) {
                    throw new StartupException(
                        "BULWARK_AUDIT_KEY or BULWARK_AUDIT_KEY_FILE is required with BULWARK_DB_URL");
                  }
                  return LocalSecrets.auditKey(dataDir());
                });
    List<String> previous = keyList("BULWARK_AUDIT_PREVIOUS_KEYS");
    for (String k : concat(key, previous)) {
      if (k.length() < io.bulwark.audit.AuditKeys.MIN_LENGTH) {
        throw new StartupException(
            "BULWARK_AUDIT_KEY and BULWARK_AUDIT_PREVIOUS_KEYS need keys of at least "
                + io.bulwark.audit.AuditKeys.MIN_LENGTH
                + " characters");
      }
    }
    int retention =
        intVar("BULWARK_AUDIT_RETENTION_DAYS", NodeSettings.Audit.DEFAULT_RETENTION_DAYS);
    if (retention < io.bulwark.audit.AuditExpiry.MIN_RETENTION_DAYS) {
      throw new StartupException(
          "BULWARK_AUDIT_RETENTION_DAYS is "
              + retention
              + "; audit events are kept at least "
              + io.bulwark.audit.AuditExpiry.MIN_RETENTION_DAYS
              + " days");
    }
    return new NodeSettings.Audit(key, previous, retention);
  }

  /** Keys from NAME or NAME_FILE, separated by commas or white space; none when unset. */
  private List<String> keyList(String name) {
    return secrets
        .read(name)
        .map(
            raw -> java.util.Arrays.stream(raw.split("[,\\s]+")).filter(k -> !k.isBlank()).toList())
        .orElse(List.of());
  }

  private static List<String> concat(String first, List<String> rest) {
    List<String> all = new ArrayList<>(rest);
    all.add(0, first);
    return all;
  }

  private int intVar(String name, int fallback) {
    String raw = env.get(name);
    if (blank(raw)) {
      return fallback;
    }
    try {
      return Integer.parseInt(raw.strip());
    } catch (NumberFormatException e) {
      throw new StartupException(name + " must be an integer, not '" + raw + "'");
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
