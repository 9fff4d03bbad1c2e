package io.bulwark.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** What a node's management port says of the cluster: members, their roles, its shards. */
final class ClusterView {
  private final ApiClient management;

  ClusterView(NodeProcess node) {
    this.management = new ApiClient(node.managementUrl(), null);
  }

  /** {@code GET /cluster/members}: each member's address and status. */
  Map<String, String> statuses() {
    Map<String, String> statuses = new HashMap<>();
    members()
        .get("members")
        .forEach(m -> statuses.put(m.get("node").asText(), m.get("status").asText()));
    return statuses;
  }

  Set<String> roles(int clusterPort) {
    Set<String> roles = new TreeSet<>();
    for (JsonNode m : members().get("members")) {
      if (m.get("node").asText().endsWith(":" + clusterPort)) {
        m.get("roles").forEach(r -> roles.add(r.asText()));
      }
    }
    roles.removeIf(r -> r.startsWith("dc-"));
    return roles;
  }

  int unreachable() {
    return members().get("unreachable").size();
  }

  JsonNode members() {
    var response = management.send(ApiClient.get("/cluster/members"));
    assertEquals(200, response.status(), response.body());
    return response.json();
  }

  /**
   * {@code GET /cluster/shards/{type}}: the shards this node hosts for an entity type and how many
   * entities each runs; empty where the node hosts none (a proxy, or another role's type).
   */
  Map<String, Integer> shards(String entityType) {
    var response = management.send(ApiClient.get("/cluster/shards/" + entityType));
    Map<String, Integer> shards = new HashMap<>();
    if (response.status() != 200) {
      return shards;
    }
    response
        .json()
        .path("regions")
        .forEach(r -> shards.put(r.get("shardId").asText(), r.get("numEntities").asInt()));
    return shards;
  }

  int entities(String entityType) {
    return shards(entityType).values().stream().mapToInt(Integer::intValue).sum();
  }
}
