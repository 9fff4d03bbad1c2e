package io.bulwark.node;

import io.bulwark.http.auth.JwtSettings;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Everything a node needs to start, resolved from the environment by {@link Environment} or built
 * directly by tests. {@code extraConfig} is HOCON laid over the node's configuration. {@code jwt}
 * is present when bearer JWTs of an enterprise's identity provider are accepted (ADR 0021).
 */
public record NodeSettings(
    String clusterHost,
    int clusterPort,
    List<String> seedNodes,
    int httpPort,
    int managementPort,
    String dbUrl,
    String dbUser,
    String dbPassword,
    String platformKey,
    String extraConfig,
    Set<NodeRole> roles,
    Discovery discovery,
    Optional<ReadDatabase> readDatabase,
    Tenancy tenancy,
    List<String> previousPlatformKeys,
    Audit audit,
    Optional<Migration> migration,
    Tls tls,
    Optional<JwtSettings> jwt,
    Webhooks webhooks) {

  /** How a node finds the others: a fixed seed list, or Cluster Bootstrap over Kubernetes. */
  public enum Discovery {
    SEED_NODES,
    KUBERNETES
  }

  /** A read-only database (a replica) that list endpoints read from instead of the primary. */
  public record ReadDatabase(String url, String user, String password, int maxConnections) {
    @Override
    public String toString() {
      return "ReadDatabase[url=" + url + ", user=" + user + ", password=***]";
    }
  }

  /**
   * The login that runs the migrations (DDL) before the node works as {@code dbUser}, which then
   * needs only the DML of the role bulwark_app (ADR 0019). Absent: the migrations run as {@code
   * dbUser}, which then needs DDL rights.
   */
  public record Migration(String user, String password) {
    @Override
    public String toString() {
      return "Migration[user=" + user + ", password=***]";
    }
  }

  /**
   * The later tenancy phases (docs/tenancy.md). Dedicated entities nodes (ADR 0017): the tiers this
   * node hosts (cluster roles {@code entities-<tier>}) and the cluster's "tenant=tier" map, which
   * every node must share. Schema-per-tenant read models (ADR 0022): the tenants whose read-model
   * rows this node moves into a schema of their own at startup, if they are not there yet.
   */
  public record Tenancy(
      java.util.Set<String> hostedTiers, List<String> tenantTiers, Set<String> schemaTenants) {
    public static final Tenancy NONE = new Tenancy(java.util.Set.of(), List.of());

    public Tenancy {
      hostedTiers = java.util.Set.copyOf(hostedTiers);
      tenantTiers = List.copyOf(tenantTiers);
      schemaTenants =
          java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(schemaTenants));
    }

    /** Tiers only: every tenant's read models in the shared tables (or where they were moved). */
    public Tenancy(java.util.Set<String> hostedTiers, List<String> tenantTiers) {
      this(hostedTiers, tenantTiers, Set.of());
    }

    /** The same tiers, with {@code tenants} in schemas of their own. */
    public Tenancy withSchemaTenants(Set<String> tenants) {
      return new Tenancy(hostedTiers, tenantTiers, tenants);
    }
  }

  /**
   * The audit chain's HMAC keys (ADR 0020): {@code key} signs, {@code previousKeys} still verify
   * what they signed; events are kept {@code retentionDays} (at least 365).
   */
  public record Audit(String key, List<String> previousKeys, int retentionDays) {
    public static final int DEFAULT_RETENTION_DAYS = 400;

    public Audit {
      previousKeys = List.copyOf(previousKeys);
    }

    /**
     * For nodes built in code (tests): an audit key derived from the platform key, so that every
     * node given the same platform key verifies the others' events.
     */
    static Audit derivedFrom(String platformKey) {
      try {
        var digest = java.security.MessageDigest.getInstance("SHA-256");
        byte[] hash =
            digest.digest(
                ("bulwark-audit-key:" + platformKey)
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return new Audit(
            java.util.HexFormat.of().formatHex(hash), List.of(), DEFAULT_RETENTION_DAYS);
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public String toString() {
      return "Audit[key=***, previousKeys="
          + previousKeys.size()
          + ", retentionDays="
          + retentionDays
          + "]";
    }
  }

  /**
   * Transport security (ADR 0018), each part on by configuration: HTTPS for the API from a PKCS12
   * keystore, and Artery {@code tls-tcp} between nodes from a directory of PEM files ({@code
   * tls.key}, {@code tls.crt}, {@code ca.crt}, as cert-manager writes them). TLS to PostgreSQL is
   * not here: {@link Environment} adds it to the database URLs themselves.
   */
  public record Tls(Optional<Keystore> https, Optional<java.nio.file.Path> clusterDirectory) {
    public static final Tls NONE = new Tls(Optional.empty(), Optional.empty());

    /** A PKCS12 keystore file and its password (never printed). */
    public record Keystore(java.nio.file.Path path, String password) {
      @Override
      public String toString() {
        return "Keystore[path=" + path + ", password=***]";
      }
    }

    @Override
    public String toString() {
      return "Tls[https="
          + https.map(k -> k.path().toString()).orElse("off")
          + ", cluster="
          + clusterDirectory.map(Object::toString).orElse("off")
          + "]";
    }
  }

  /**
   * Webhooks (ADR 0023): the key that seals endpoint secrets in the database, the targets exempt
   * from the SSRF guard (BULWARK_WEBHOOK_ALLOWED_TARGETS), the retry schedule when not the default,
   * and how names resolve (the system's resolver; tests give their own, so that no test asks a real
   * DNS server).
   */
  public record Webhooks(
      String key,
      String allowedTargets,
      Optional<String> retrySchedule,
      io.bulwark.webhooks.HostResolver resolver) {
    /** For nodes built in code (tests): a key derived from the platform key, no exemption. */
    static Webhooks derivedFrom(String platformKey) {
      return new Webhooks(
          Audit.derivedFrom("webhooks:" + platformKey).key(),
          "",
          Optional.empty(),
          io.bulwark.webhooks.HostResolver.system());
    }

    /** The same key, with these targets allowed, this schedule and this resolver. */
    public Webhooks with(
        String newAllowedTargets,
        Optional<String> newSchedule,
        io.bulwark.webhooks.HostResolver newResolver) {
      return new Webhooks(key, newAllowedTargets, newSchedule, newResolver);
    }

    @Override
    public String toString() {
      return "Webhooks[key=***, allowedTargets="
          + (allowedTargets.isBlank() ? "none" : allowedTargets)
          + ", retrySchedule="
          + retrySchedule.orElse("default")
          + "]";
    }
  }

  /** A node with every role, found through its seed nodes, reading lists from the primary. */
  public NodeSettings(
      String clusterHost,
      int clusterPort,
      List<String> seedNodes,
      int httpPort,
      int managementPort,
      String dbUrl,
      String dbUser,
      String dbPassword,
      String platformKey,
      String extraConfig) {
    this(
        clusterHost,
        clusterPort,
        seedNodes,
        httpPort,
        managementPort,
        dbUrl,
        dbUser,
        dbPassword,
        platformKey,
        extraConfig,
        NodeRole.ALL,
        Discovery.SEED_NODES,
        Optional.empty(),
        Tenancy.NONE,
        List.of(),
        Audit.derivedFrom(platformKey),
        Optional.empty(),
        Tls.NONE,
        Optional.empty(),
        Webhooks.derivedFrom(platformKey));
  }

  public NodeSettings {
    roles = Set.copyOf(roles);
    seedNodes = List.copyOf(seedNodes);
    previousPlatformKeys = List.copyOf(previousPlatformKeys);
    migration = java.util.Objects.requireNonNull(migration);
    jwt = jwt == null ? Optional.empty() : jwt;
  }

  /** The same node with other webhook settings (allowed targets, schedule). */
  public NodeSettings withWebhooks(Webhooks newWebhooks) {
    return copy(
        extraConfig, readDatabase, tenancy, previousPlatformKeys, migration, tls, jwt, newWebhooks);
  }

  public NodeSettings withExtraConfig(String hocon) {
    return copy(hocon, readDatabase, tenancy, previousPlatformKeys, migration, tls, jwt, webhooks);
  }

  /** The same node accepting {@code previous} platform keys too, as during a rotation. */
  public NodeSettings withPreviousPlatformKeys(List<String> previous) {
    return copy(extraConfig, readDatabase, tenancy, previous, migration, tls, jwt, webhooks);
  }

  /** The same node with other tenancy settings (tiers, schema tenants). */
  public NodeSettings withTenancy(Tenancy newTenancy) {
    return copy(
        extraConfig, readDatabase, newTenancy, previousPlatformKeys, migration, tls, jwt, webhooks);
  }

  public NodeSettings withReadDatabase(ReadDatabase replica) {
    return copy(
        extraConfig,
        Optional.of(replica),
        tenancy,
        previousPlatformKeys,
        migration,
        tls,
        jwt,
        webhooks);
  }

  /** The same node, migrating the database as {@code login} before it works as {@code dbUser}. */
  public NodeSettings withMigration(Migration login) {
    return copy(
        extraConfig,
        readDatabase,
        tenancy,
        previousPlatformKeys,
        Optional.of(login),
        tls,
        jwt,
        webhooks);
  }

  public NodeSettings withTls(Tls newTls) {
    return copy(
        extraConfig, readDatabase, tenancy, previousPlatformKeys, migration, newTls, jwt, webhooks);
  }

  public NodeSettings withJwt(JwtSettings settings) {
    return copy(
        extraConfig,
        readDatabase,
        tenancy,
        previousPlatformKeys,
        migration,
        tls,
        Optional.of(settings),
        webhooks);
  }

  /** Who runs the migrations: {@link #migration()}, or else the node's own login. */
  Migration migrationLogin() {
    return migration.orElseGet(() -> new Migration(dbUser, dbPassword));
  }

  private NodeSettings copy(
      String newExtraConfig,
      Optional<ReadDatabase> newReadDatabase,
      Tenancy newTenancy,
      List<String> newPreviousPlatformKeys,
      Optional<Migration> newMigration,
      Tls newTls,
      Optional<JwtSettings> newJwt,
      Webhooks newWebhooks) {
    return new NodeSettings(
        clusterHost,
        clusterPort,
        seedNodes,
        httpPort,
        managementPort,
        dbUrl,
        dbUser,
        dbPassword,
        platformKey,
        newExtraConfig,
        roles,
        discovery,
        newReadDatabase,
        newTenancy,
        newPreviousPlatformKeys,
        audit,
        newMigration,
        newTls,
        newJwt,
        newWebhooks);
  }

  boolean has(NodeRole role) {
    return roles.contains(role);
  }

  /** Secrets stay out of logs and exception messages, wherever a settings object is printed. */
  @Override
  public String toString() {
    return "NodeSettings[cluster="
        + clusterHost
        + ":"
        + clusterPort
        + ", roles="
        + roles
        + ", discovery="
        + discovery
        + ", db="
        + dbUrl
        + ", "
        + tls
        + ", jwt="
        + jwt.map(j -> j.issuer()).orElse("off")
        + "]";
  }
}
