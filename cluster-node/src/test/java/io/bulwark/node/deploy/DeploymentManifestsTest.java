package io.bulwark.node.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes manifests (k8s/) and docker-compose.yml, checked offline by k8s/check/check.mjs:
 * every kustomization renders, every object is valid against its API type with no unknown field,
 * and what the node needs holds (k8s/README.md). The mutation tests break a copy of the tree and
 * make sure the checker names what broke; the last test runs the autoscalers' PromQL and the
 * compose Prometheus configuration through promtool.
 */
class DeploymentManifestsTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path CHECK = ROOT.resolve("k8s/check");
  private static final Path MUTATED = Path.of("target", "k8s-mutated").toAbsolutePath();
  private static final List<String> CHECKED =
      List.of(
          "base",
          "base/common",
          "base/node",
          "database",
          "monitoring",
          "overlays/dev",
          "overlays/staging",
          "overlays/prod",
          "overlays/phase2",
          "overlays/phase2-dedicated",
          "docker-compose.yml");
  private static final String DEPLOYMENT = "k8s/base/node/deployment.yaml";

  private record Result(int exitValue, String output) {}

  @BeforeAll
  static void installTheChecker() throws Exception {
    Path installed = CHECK.resolve("node_modules/.package-lock.json");
    Path lock = CHECK.resolve("package-lock.json");
    if (Files.isRegularFile(installed)
        && Files.getLastModifiedTime(installed).compareTo(Files.getLastModifiedTime(lock)) >= 0) {
      return;
    }
    Result npm = run(CHECK, 5, "npm", "ci", "--no-audit", "--no-fund");
    assertEquals(0, npm.exitValue(), "npm ci in k8s/check failed:\n" + npm.output());
  }

  @Test
  void everyKustomizationAndTheComposeFilePassTheCheck() throws Exception {
    Result checked = check(ROOT);

    assertEquals(0, checked.exitValue(), checked.output());
    for (String name : CHECKED) {
      assertTrue(
          checked.output().lines().anyMatch(("ok " + name)::equals),
          name + " was not checked:\n" + checked.output());
    }
  }

  @Test
  void aMisspelledFieldFails() throws Exception {
    Path copy = mutableCopy("misspelled");
    mutate(copy.resolve(DEPLOYMENT), "imagePullPolicy: IfNotPresent", "imagePullPolicyy: Always");
    mutate(copy.resolve(DEPLOYMENT), "  replicas: 3\n", "  replica: 3\n");

    Result checked = check(copy);

    assertEquals(1, checked.exitValue(), checked.output());
    assertFailed(checked, "base", "/spec/replica is not a field of apps/v1 Deployment");
    assertFailed(
        checked,
        "base",
        "/spec/template/spec/containers/0/imagePullPolicyy is not a field of apps/v1 Deployment");
  }

  @Test
  void aFieldOfTheWrongTypeFails() throws Exception {
    Path copy = mutableCopy("wrong-type");
    mutate(copy.resolve(DEPLOYMENT), "  replicas: 3\n", "  replicas: \"3\"\n");

    Result checked = check(copy);

    assertEquals(1, checked.exitValue(), checked.output());
    assertFailed(checked, "base", "Deployment bulwark: /spec/replicas must be integer");
  }

  @Test
  void aCpuLimitFails() throws Exception {
    Path copy = mutableCopy("cpu-limit");
    mutate(
        copy.resolve(DEPLOYMENT),
        "            limits:\n",
        "            limits:\n              cpu: \"2\"\n");

    Result checked = check(copy);

    assertEquals(1, checked.exitValue(), checked.output());
    assertFailed(checked, "overlays/staging", "container bulwark has a CPU limit");
  }

  @Test
  void anApiServiceOverEveryRoleAnUnknownKindASecretAndAnInlinePasswordFail() throws Exception {
    Path copy = mutableCopy("several");
    mutate(
        copy.resolve("k8s/overlays/phase2/kustomization.yaml"),
        "          app.kubernetes.io/component: api\n",
        "");
    Files.writeString(
        copy.resolve("k8s/database/extra.yaml"),
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: leaked\nstringData:\n  password: x\n"
            + "---\napiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n");
    mutate(
        copy.resolve("k8s/database/kustomization.yaml"),
        "  - scheduledbackup.yaml\n",
        "  - scheduledbackup.yaml\n  - extra.yaml\n");
    mutate(
        copy.resolve("docker-compose.yml"),
        "POSTGRES_PASSWORD_FILE: /run/secrets/db_password",
        "POSTGRES_PASSWORD: not-a-secret\n      BULWARK_NOT_READ: x");

    Result checked = check(copy);

    assertEquals(1, checked.exitValue(), checked.output());
    assertFailed(
        checked,
        "overlays/phase2",
        "Service bulwark selects Deployment bulwark-entities, whose pods have no api role");
    assertFailed(checked, "database", "Secret leaked carries data/stringData");
    assertFailed(checked, "database", "unknown apiVersion/kind example.com/v1/Widget");
    assertFailed(checked, "docker-compose.yml", "service postgres sets POSTGRES_PASSWORD inline");
    assertFailed(
        checked, "docker-compose.yml", "BULWARK_NOT_READ is not a variable the node reads");
  }

  @Test
  void theAutoscalersQueriesAndTheComposePrometheusConfigPassPromtool() throws Exception {
    YAMLMapper yaml = new YAMLMapper();
    List<String> queries = new ArrayList<>();
    JsonNode scaledObject =
        yaml.readTree(ROOT.resolve("k8s/overlays/phase2/scaledobject.yaml").toFile());
    scaledObject.at("/spec/triggers").forEach(t -> queries.add(t.at("/metadata/query").asText()));
    JsonNode adapter =
        yaml.readTree(ROOT.resolve("k8s/monitoring/prometheus-adapter-values.yaml").toFile());
    for (JsonNode rule : adapter.at("/rules/custom")) {
      // The adapter's template, filled in as it would for one pod of the HPA's target.
      queries.add(
          rule.get("metricsQuery")
              .asText()
              .replace("<<.Series>>", rule.at("/name/as").asText())
              .replace("<<.LabelMatchers>>", "namespace=\"bulwark\",pod=~\"bulwark-.*\"")
              .replace("<<.GroupBy>>", "pod"));
    }
    assertEquals(2, queries.size(), queries.toString());
    assertTrue(queries.get(0).contains("bulwark_projection_lag_seconds_bucket"), queries.get(0));
    StringBuilder rules = new StringBuilder("groups:\n  - name: autoscaling\n    rules:\n");
    for (int i = 0; i < queries.size(); i++) {
      rules.append("      - record: autoscaling:query").append(i).append('\n');
      rules.append("        expr: '").append(queries.get(i).replace("'", "''")).append("'\n");
    }
    Files.createDirectories(MUTATED);
    Path file = MUTATED.resolve("autoscaling.rules.yml");
    Files.writeString(file, rules.toString());

    promtool("check", "rules", file.toString());
    promtool("check", "config", ROOT.resolve("deploy/compose/prometheus.yml").toString());
  }

  private static void assertFailed(Result checked, String name, String reason) {
    String line =
        checked
            .output()
            .lines()
            .filter(l -> l.startsWith("FAILED " + name + ": "))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no FAILED " + name + ":\n" + checked.output()));
    assertTrue(line.contains(reason), "expected '" + reason + "' in:\n" + line);
  }

  private static Result check(Path root) throws Exception {
    return run(ROOT, 2, "node", CHECK.resolve("check.mjs").toString(), root.toString());
  }

  private static void promtool(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("bash", "k8s/monitoring/promtool.sh"));
    command.addAll(List.of(args));
    Result result = run(ROOT, 5, command.toArray(String[]::new));
    assertEquals(0, result.exitValue(), String.join(" ", command) + "\n" + result.output());
  }

  private static Result run(Path dir, int minutes, String... command) throws Exception {
    Process process =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output;
    try (var in = process.getInputStream()) {
      output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertTrue(process.waitFor(minutes, TimeUnit.MINUTES), String.join(" ", command));
    return new Result(process.exitValue(), output);
  }

  /** What the checker reads, copied so that a test can break it: never the real tree. */
  private static Path mutableCopy(String name) throws IOException {
    Path copy = MUTATED.resolve(name);
    deleteTree(copy);
    Path check = ROOT.resolve("k8s/check");
    Path secrets = ROOT.resolve("deploy/compose/secrets");
    copyTree(ROOT.resolve("k8s"), copy.resolve("k8s"), p -> !p.startsWith(check));
    copyTree(ROOT.resolve("deploy"), copy.resolve("deploy"), p -> !p.startsWith(secrets));
    copyTree(
        ROOT.resolve("cluster-node/src/main"), copy.resolve("cluster-node/src/main"), p -> true);
    Files.copy(ROOT.resolve("docker-compose.yml"), copy.resolve("docker-compose.yml"));
    return copy;
  }

  private static void mutate(Path file, String from, String to) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    assertTrue(text.contains(from), file + " no longer contains '" + from + "'");
    int at = text.indexOf(from);
    Files.writeString(file, text.substring(0, at) + to + text.substring(at + from.length()));
  }

  private static void copyTree(Path from, Path to, Predicate<Path> include) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path source : paths.filter(include).toList()) {
        Path target = to.resolve(from.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(target);
        } else {
          Files.copy(source, target);
        }
      }
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
