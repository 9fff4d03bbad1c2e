package io.bulwark.node;

import io.bulwark.domain.placement.TenantPlacement;
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
  private final SecurityEnvironment security;

  Environment(Map<String, String> env) {
    this.env = env;
    this.secrets = new Secrets(env);
    this.security = new SecurityEnvironment(env, secrets, this::intVar);
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
      url = security.withDatabaseTls("BULWARK_DB_URL", env.get("BULWARK_DB_URL"));
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
        security.tls(),
        security.jwt(),
        webhooks());
  }

  /**
   * Webhooks (ADR 0023): the key sealing endpoint secrets (generated once in local mode, required
   * with a real database), the allow-list and the retry schedule, each checked before start.
   */
  private NodeSettings.Webhooks webhooks() {
    String key =
        secrets
            .read("BULWARK_WEBHOOK_KEY")
            .orElseGet(
                () -> {
                  if (!usesEmbeddedDatabase()) {
                    throw new StartupException(
                        "BULWARK_WEBHOOK_KEY or BULWARK_WEBHOOK_KEY_FILE is required with"
                            + " BULWARK_DB_URL");
                  }
                  return LocalSecrets.webhookKey(dataDir());
                });
    if (key.length() < io.bulwark.webhooks.SecretBox.MIN_KEY_LENGTH) {
      throw new StartupException(
          "BULWARK_WEBHOOK_KEY needs at least "
              + io.bulwark.webhooks.SecretBox.MIN_KEY_LENGTH
              + " characters");
    }
    String allowed = env.getOrDefault("BULWARK_WEBHOOK_ALLOWED_TARGETS", "");
    try {
      io.bulwark.webhooks.AllowedTargets.parse(allowed);
    } catch (IllegalArgumentException e) {
      throw new StartupException(e.getMessage());
    }
    Optional<String> schedule =
        Optional.ofNullable(env.get("BULWARK_WEBHOOK_RETRY_SCHEDULE")).filter(s -> !s.isBlank());
    try {
      schedule.ifPresent(s -> io.bulwark.webhooks.RetrySchedule.parse(s, 0));
    } catch (IllegalArgumentException e) {
      throw new StartupException("BULWARK_WEBHOOK_RETRY_SCHEDULE: " + e.getMessage());
    }
    return new NodeSettings.Webhooks(
        key, allowed, schedule, io.bulwark.webhooks.HostResolver.system());
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
    return new NodeSettings.Tenancy(hosted, tenantTiers, schemaTenants());
  }

  /**
   * BULWARK_TENANT_SCHEMAS ("acme,globex"): tenants whose read models live in a schema of their own
   * (ADR 0022). A node moves each listed tenant there at startup; it never moves one back.
   */
  private Set<String> schemaTenants() {
    String raw = env.get("BULWARK_TENANT_SCHEMAS");
    if (blank(raw)) {
      return Set.of();
    }
    Set<String> tenants = new java.util.TreeSet<>();
    for (String entry : raw.split(",")) {
      String tenant = entry.strip();
      if (tenant.isEmpty()) {
        continue;
      }
      if (!io.bulwark.domain.Ids.isValidResourceId(tenant)) {
        throw new StartupException(
            "BULWARK_TENANT_SCHEMAS holds '"
                + tenant
                + "'; expected tenant ids (lower-case letters, digits, '_', '.', '-')");
      }
      tenants.add(tenant);
    }
    return tenants;
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
            security.withDatabaseTls("BULWARK_DB_READ_URL", url),
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

  int intVar(String name, int fallback) {
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

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
