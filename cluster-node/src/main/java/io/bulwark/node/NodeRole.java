package io.bulwark.node;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a node does in the cluster (ARCHITECTURE.md, scale phases). One binary; phase 0 and 1 nodes
 * have every role, phase 2 splits them over Deployments. The names are Pekko cluster roles, so
 * sharding, the projections' daemon process and the singletons find their nodes by them.
 */
public enum NodeRole {
  /** Serves the HTTP API; reaches entities through sharding proxies when it hosts none. */
  API,
  /** Hosts the sharded tenants, accounts and transfer sagas. */
  ENTITIES,
  /** Runs the read-model projection slices and the pending-transfer sweeper. */
  PROJECTIONS;

  public static final Set<NodeRole> ALL = Set.copyOf(EnumSet.allOf(NodeRole.class));

  /** The Pekko cluster role name, as in BULWARK_ROLES and the config's role settings. */
  public String clusterRole() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses a comma-separated role list. A misspelt role would leave a node hosting nothing, so an
   * unknown one is an error rather than a role nobody asks for.
   */
  public static Set<NodeRole> parse(String commaSeparated) {
    Set<NodeRole> roles = EnumSet.noneOf(NodeRole.class);
    for (String raw : commaSeparated.split(",")) {
      String name = raw.strip();
      if (name.isEmpty()) {
        continue;
      }
      roles.add(
          Arrays.stream(values())
              .filter(r -> r.clusterRole().equals(name))
              .findFirst()
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "unknown role '"
                              + name
                              + "'; the roles are "
                              + Arrays.stream(values())
                                  .map(NodeRole::clusterRole)
                                  .collect(Collectors.joining(", ")))));
    }
    if (roles.isEmpty()) {
      throw new IllegalArgumentException("no role given");
    }
    return Set.copyOf(roles);
  }
}
