package io.bulwark.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs promtool through k8s/monitoring/promtool.sh (PATH, or Debian's package unpacked once). */
final class Promtool {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  private Promtool() {}

  /** Runs promtool with {@code args}; fails the test unless it exits 0. Returns its output. */
  static String run(String... args) throws Exception {
    List<String> command =
        new ArrayList<>(List.of("bash", ROOT.resolve("k8s/monitoring/promtool.sh").toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output;
    try (var in = process.getInputStream()) {
      output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertTrue(process.waitFor(5, TimeUnit.MINUTES), "promtool finished");
    assertEquals(0, process.exitValue(), String.join(" ", command) + "\n" + output);
    return output;
  }
}
