package io.bulwark.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Grafana dashboards under k8s/monitoring/dashboards: every panel queries something, every
 * query is PromQL that promtool accepts, and every metric it names is one the nodes export
 * (docs/observability.md) or the rules record.
 */
class DashboardsTest {
  private static final Path ROOT = Promtool.ROOT;
  private static final Path DASHBOARDS = ROOT.resolve("k8s/monitoring/dashboards");
  private static final Pattern OUR_METRIC = Pattern.compile("\\bbulwark_[a-z0-9_]+");
  private static final Pattern RECORDED = Pattern.compile("\\b(?:slo|tenant):[a-z0-9_:]+");

  @Test
  void everyPanelHasQueriesThatPromtoolAcceptsAndThatNameKnownMetrics(@TempDir Path temp)
      throws Exception {
    List<String> expressions = new ArrayList<>();
    Set<String> uids = new HashSet<>();
    List<Path> files;
    try (Stream<Path> list = Files.list(DASHBOARDS)) {
      files = list.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
    assertEquals(
        6, files.size(), "overview, SLO, sagas, projections, database, webhooks: " + files);
    for (Path file : files) {
      JsonNode dashboard = new ObjectMapper().readTree(file.toFile());
      assertTrue(uids.add(dashboard.get("uid").asText()), "unique uid in " + file);
      assertFalse(dashboard.get("panels").isEmpty(), file.toString());
      for (JsonNode panel : dashboard.get("panels")) {
        assertFalse(panel.path("targets").isEmpty(), file + ": " + panel.path("title"));
        panel.get("targets").forEach(t -> expressions.add(t.get("expr").asText()));
      }
    }
    String documented =
        Files.readString(ROOT.resolve("docs/observability.md"), StandardCharsets.UTF_8);
    String rules =
        Files.readString(
            ROOT.resolve("k8s/monitoring/rules/bulwark.rules.yml"), StandardCharsets.UTF_8);
    StringBuilder asRules = new StringBuilder("groups:\n  - name: dashboards\n    rules:\n");
    for (int i = 0; i < expressions.size(); i++) {
      String expr = expressions.get(i);
      var ours = OUR_METRIC.matcher(expr);
      while (ours.find()) {
        String base = ours.group().replaceAll("_(bucket|count|sum)$", "");
        assertTrue(documented.contains(base), base + " is not in docs/observability.md");
      }
      var recorded = RECORDED.matcher(expr);
      while (recorded.find()) {
        assertTrue(rules.contains("record: " + recorded.group()), recorded.group() + " recorded");
      }
      asRules
          .append("      - record: dashboard:expr")
          .append(i)
          .append("\n        expr: ")
          .append(new ObjectMapper().writeValueAsString(expr))
          .append('\n');
    }
    Path file = temp.resolve("dashboards.rules.yml");
    Files.writeString(file, asRules.toString(), StandardCharsets.UTF_8);
    Promtool.run("check", "rules", file.toString());
  }
}
