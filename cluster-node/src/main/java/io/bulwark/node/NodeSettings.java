package io.bulwark.node;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Everything a node needs to start, resolved from the environment by {@link Environment} or built
 * directly by tests. {@code extraConfig} is HOCON laid over the node's configuration.
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
    Tls tls) {

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
        Tls.NONE);
  }

  public NodeSettings {
    roles = Set.copyOf(roles);
    seedNodes = List.copyOf(seedNodes);
  }

  public NodeSettings withExtraConfig(String hocon) {
    return copy(hocon, readDatabase, tls);
  }

  public NodeSettings withReadDatabase(ReadDatabase replica) {
    return copy(extraConfig, Optional.of(replica), tls);
  }

  public NodeSettings withTls(Tls newTls) {
    return copy(extraConfig, readDatabase, newTls);
  }

  private NodeSettings copy(
      String newExtraConfig, Optional<ReadDatabase> newReadDatabase, Tls newTls) {
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
        newTls);
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
        + "]";
  }
}
