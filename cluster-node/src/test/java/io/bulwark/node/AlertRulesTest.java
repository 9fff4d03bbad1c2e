package io.bulwark.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The SLO rules under k8s/monitoring: promtool checks them and runs their unit tests (a firing and
 * a silent case per alert), and every alert says who owns it, how bad it is and where its runbook
 * is, a runbook that exists.
 */
class AlertRulesTest {
  private static final Path ROOT = Promtool.ROOT;
  private static final Path MONITORING = ROOT.resolve("k8s/monitoring");
  private static final Path RULES = MONITORING.resolve("rules/bulwark.rules.yml");
  private static final Path TESTS = MONITORING.resolve("tests/bulwark.test.yml");

  @Test
  void promtoolAcceptsTheRulesAndTheirTestsPass() throws Exception {
    Promtool.run("check", "rules", RULES.toString());
    String output = Promtool.run("test", "rules", TESTS.toString());
    assertFalse(output.contains("FAILED"), output);
  }

  @Test
  void everyAlertHasSeverityOwnerAndAnExistingRunbook() throws Exception {
    JsonNode rules = new YAMLMapper().readTree(RULES.toFile());
    List<String> alerts = new ArrayList<>();
    for (JsonNode group : rules.get("groups")) {
      for (JsonNode rule : group.get("rules")) {
        if (!rule.has("alert")) {
          continue;
        }
        String name = rule.get("alert").asText();
        alerts.add(name);
        String severity = rule.path("labels").path("severity").asText();
        assertTrue(Set.of("page", "ticket").contains(severity), name + " severity " + severity);
        assertFalse(rule.path("labels").path("owner").asText().isEmpty(), name + " owner");
        String runbook = rule.path("annotations").path("runbook_url").asText();
        assertTrue(runbook.startsWith("docs/runbooks/"), name + " runbook " + runbook);
        assertTrue(Files.isRegularFile(ROOT.resolve(runbook)), name + ": no file " + runbook);
      }
    }
    assertEquals(16, alerts.size(), alerts.toString());
  }

  @Test
  void everyAlertIsTestedFiringAndSilent() throws Exception {
    Set<String> firing = new TreeSet<>();
    Set<String> silent = new TreeSet<>();
    for (JsonNode test : new YAMLMapper().readTree(TESTS.toFile()).get("tests")) {
      for (JsonNode check : test.path("alert_rule_test")) {
        String name = check.get("alertname").asText();
        (check.path("exp_alerts").isEmpty() ? silent : firing).add(name);
      }
    }
    Set<String> alerts = new TreeSet<>();
    new YAMLMapper()
        .readTree(RULES.toFile())
        .get("groups")
        .forEach(
            g ->
                g.get("rules")
                    .forEach(
                        r -> {
                          if (r.has("alert")) {
                            alerts.add(r.get("alert").asText());
                          }
                        }));
    assertEquals(alerts, firing, "alerts with a firing case");
    assertEquals(alerts, silent, "alerts with a silent case");
  }
}
