package io.bulwark.node;

import java.util.List;

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
    String extraConfig) {

  public NodeSettings withExtraConfig(String hocon) {
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
        hocon);
  }
}
