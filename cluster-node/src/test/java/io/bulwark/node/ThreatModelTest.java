package io.bulwark.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The threat model names a test for each mitigation: every test it names must exist (and every
 * named method), so a renamed or deleted test shows up here instead of silently orphaning a row.
 */
class ThreatModelTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path DOCUMENT = ROOT.resolve("docs/security/threat-model.md");
  private static final Pattern NAMED =
      Pattern.compile("`([A-Z][A-Za-z0-9]*(?:Test|IT|Contract))(?:\\.([a-z][A-Za-z0-9]*))?`");

  @Test
  void everyTestTheThreatModelNamesExists() throws IOException {
    Map<String, Path> sources = testSources();
    String document = Files.readString(DOCUMENT);
    var matcher = NAMED.matcher(document);
    List<String> missing = new ArrayList<>();
    var named = new TreeSet<String>();
    while (matcher.find()) {
      String type = matcher.group(1);
      String method = matcher.group(2);
      named.add(type);
      Path source = sources.get(type);
      if (source == null) {
        missing.add(type);
      } else if (method != null
          && !Files.readString(source).matches("(?s).*\\bvoid " + method + "\\(.*")) {
        missing.add(type + "." + method);
      }
    }
    assertTrue(named.size() > 30, "the document names its tests: " + named);
    assertEquals(List.of(), missing, "named in docs/security/threat-model.md but not found");
  }

  private static Map<String, Path> testSources() throws IOException {
    try (Stream<Path> walk = Files.walk(ROOT, 14)) {
      return walk.filter(p -> p.toString().contains("/src/test/java/"))
          .filter(p -> p.toString().endsWith(".java"))
          .filter(p -> !p.toString().contains("/target/"))
          .collect(
              Collectors.toMap(
                  p -> p.getFileName().toString().replace(".java", ""), p -> p, (a, b) -> a));
    }
  }
}
