package io.bulwark.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.bulwark.domain.placement.TenantPlacement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the node's configuration. Resolved once, at the end, so substitutions such as the shared
 * database's URL see the overrides (a pitfall met before: see STACK.md).
 */
final class NodeConfig {
  static final String SYSTEM_NAME = "bulwark";

  private NodeConfig() {}

  static Config build(NodeSettings s) {
    Map<String, Object> values = new HashMap<>();
    values.put("pekko.remote.artery.canonical.hostname", s.clusterHost());
    values.put("pekko.remote.artery.canonical.port", s.clusterPort());
    List<String> seeds =
        s.seedNodes().stream().map(hp -> "pekko://" + SYSTEM_NAME + "@" + hp).toList();
    values.put("pekko.cluster.seed-nodes", seeds);
    List<String> roles = new ArrayList<>();
    s.roles().forEach(r -> roles.add(r.clusterRole()));
    s.tenancy().hostedTiers().forEach(t -> roles.add(TenantPlacement.TIER_ROLE_PREFIX + t));
    roles.sort(null);
    values.put("pekko.cluster.roles", roles);
    values.put("bulwark.tenancy.tiers", s.tenancy().tenantTiers());
    values.put("bulwark.http.port", s.httpPort());
    values.put("pekko.management.http.hostname", s.clusterHost());
    values.put("pekko.management.http.port", s.managementPort());
    values.put("pekko.management.http.bind-port", s.managementPort());
    values.put("bulwark.db.url", s.dbUrl());
    values.put("bulwark.db.user", s.dbUser());
    values.put("bulwark.db.password", s.dbPassword());
    s.tls().clusterDirectory().ifPresent(dir -> clusterTls(values, dir));
    s.webhooks().retrySchedule().ifPresent(r -> values.put("bulwark.webhooks.retry-schedule", r));
    return ConfigFactory.parseString(s.extraConfig() == null ? "" : s.extraConfig())
        .withFallback(ConfigFactory.defaultOverrides())
        .withFallback(ConfigFactory.parseMap(values))
        .withFallback(ConfigFactory.defaultApplication())
        .withFallback(ConfigFactory.defaultReference())
        .resolve();
  }

  /**
   * Artery over TLS with mutual authentication (ADR 0018): Pekko's RotatingKeysSSLEngineProvider
   * reads the PEM files cert-manager writes and re-reads them when they rotate. A peer must present
   * a certificate from the same CA sharing a subject name with this node's, instead of a host name
   * check that pod IPs cannot pass.
   */
  private static void clusterTls(Map<String, Object> values, java.nio.file.Path dir) {
    String engine = "pekko.remote.artery.ssl.rotating-keys-engine.";
    values.put("pekko.remote.artery.transport", "tls-tcp");
    values.put(
        "pekko.remote.artery.ssl.ssl-engine-provider",
        "org.apache.pekko.remote.artery.tcp.ssl.RotatingKeysSSLEngineProvider");
    values.put(engine + "key-file", dir.resolve(TlsMaterial.KEY_FILE).toAbsolutePath().toString());
    values.put(
        engine + "cert-file", dir.resolve(TlsMaterial.CERT_FILE).toAbsolutePath().toString());
    values.put(
        engine + "ca-cert-file", dir.resolve(TlsMaterial.CA_FILE).toAbsolutePath().toString());
  }
}
