package io.bulwark.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.testing.TestSecrets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * After every module's tests have run (this is a failsafe test: it runs after them): no secret the
 * tests made or were given (TestSecrets) appears in any log line or test output of the whole run,
 * nodes in separate processes included. Error bodies are checked as the tests run (ApiClient).
 */
class NoSecretInLogsIT {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final List<String> MODULES =
      List.of("domain", "projections", "http-api", "cluster-node");

  @Test
  void noSecretOfTheTestRunIsInAnyLog() throws IOException {
    Set<String> secrets = new LinkedHashSet<>();
    for (String module : MODULES) {
      for (Path file : files(ROOT.resolve(module).resolve("target/test-secrets"), ".txt")) {
        Files.readAllLines(file, StandardCharsets.UTF_8).stream()
            .filter(s -> s.length() >= TestSecrets.MIN_LENGTH)
            .forEach(secrets::add);
      }
    }
    List<Path> logs = new ArrayList<>();
    for (String module : MODULES) {
      Path target = ROOT.resolve(module).resolve("target");
      logs.addAll(files(target.resolve("surefire-reports"), ".txt"));
      logs.addAll(files(target.resolve("surefire-reports"), ".xml"));
      logs.addAll(files(target, ".log"));
    }
    assertTrue(secrets.size() > 50, "the run remembered its secrets: " + secrets.size());
    assertTrue(logs.size() > 20, "the run left its logs: " + logs.size());
    List<String> found = new ArrayList<>();
    long lines = 0;
    for (Path log : logs) {
      List<String> content = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
      lines += content.size();
      for (int i = 0; i < content.size(); i++) {
        for (String secret : secrets) {
          if (content.get(i).contains(secret)) {
            found.add(
                ROOT.relativize(log) + ":" + (i + 1) + " holds " + TestSecrets.redacted(secret));
          }
        }
      }
    }
    System.out.printf(
        "NoSecretInLogsIT: %d secrets looked for in %d files, %d lines%n",
        secrets.size(), logs.size(), lines);
    assertEquals(List.of(), found);
  }

  private static List<Path> files(Path dir, String suffix) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile)
          .filter(p -> p.getFileName().toString().endsWith(suffix))
          .filter(p -> !p.startsWith(dir.resolve("test-secrets")))
          .toList();
    }
  }
}
