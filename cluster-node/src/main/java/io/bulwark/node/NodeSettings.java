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
    Optional<JwtSettings> jwt) {

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
   * Dedicated entities nodes (ADR 0017): the tiers this node hosts (cluster roles {@code
   * entities-<tier>}) and the cluster's "tenant=tier" map, which every node must share.
   */
  public record Tenancy(java.util.Set<String> hostedTiers, List<String> tenantTiers) {
    public static final Tenancy NONE = new Tenancy(java.util.Set.of(), List.of());

    public Tenancy {
      hostedTiers = java.util.Set.copyOf(hostedTiers);
      tenantTiers = List.copyOf(tenantTiers);
    }
  }

  /**
   * The audit chain's HMAC keys (ADR 0018): {@code key} signs, {@code previousKeys} still verify
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
        Optional.empty());
  }

  public NodeSettings {
    roles = Set.copyOf(roles);
    seedNodes = List.copyOf(seedNodes);
    previousPlatformKeys = List.copyOf(previousPlatformKeys);
    jwt = jwt == null ? Optional.empty() : jwt;
  }

  public NodeSettings withExtraConfig(String hocon) {
    return copy(hocon, readDatabase);
  }

  /** The same node accepting {@code previous} platform keys too, as during a rotation. */
  public NodeSettings withPreviousPlatformKeys(List<String> previous) {
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
        extraConfig,
        roles,
        discovery,
        readDatabase,
        tenancy,
        previous,
        audit,
        jwt);
  }

  /** The same node accepting bearer JWTs of the identity provider {@code settings} describes. */
  public NodeSettings withJwt(JwtSettings settings) {
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
        extraConfig,
        roles,
        discovery,
        readDatabase,
        tenancy,
        previousPlatformKeys,
        audit,
        Optional.of(settings));
  }

  public NodeSettings withReadDatabase(ReadDatabase replica) {
    return copy(extraConfig, Optional.of(replica));
  }

  private NodeSettings copy(String newExtraConfig, Optional<ReadDatabase> newReadDatabase) {
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
        tenancy,
        previousPlatformKeys,
        audit,
        jwt);
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
        + ", jwt="
        + jwt.map(j -> j.issuer()).orElse("off")
        + "]";
  }
}
