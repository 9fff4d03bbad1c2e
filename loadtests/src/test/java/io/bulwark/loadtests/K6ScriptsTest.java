package io.bulwark.loadtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The k6 scripts cannot be run here (k6 is not installable), so the suite checks what can be: each
 * parses, imports only what exists, and exports an open-model scenario with thresholds
 * (k6/check.mjs, run by Node).
 */
class K6ScriptsTest {
  private record Checked(int exitValue, String output) {}

  @Test
  void everyScriptParsesAndExportsAnOpenModelScenarioWithThresholds() throws Exception {
    Checked checked = check();

    assertEquals(0, checked.exitValue(), checked.output());
    for (String script : new String[] {"baseline.js", "spike.js", "stress.js", "soak.js"}) {
      assertTrue(
          checked.output().contains("ok " + script),
          script + " was not checked:\n" + checked.output());
    }
  }

  @Test
  void theCheckerRejectsAScriptThatImportsWhatDoesNotExist() throws Exception {
    Path broken = Path.of("k6", "broken-for-test.js");
    Files.writeString(
        broken,
        "import { NOT_THERE } from './lib/bulwark.js';\n"
            + "export const options = { scenarios: {} };\n"
            + "export default function () {}\n");
    try {
      Checked checked = check();

      assertEquals(1, checked.exitValue(), checked.output());
      assertTrue(checked.output().contains("FAILED broken-for-test.js"), checked.output());
    } finally {
      Files.deleteIfExists(broken);
    }
  }

  private static Checked check() throws Exception {
    Process node =
        new ProcessBuilder("node", Path.of("k6", "check.mjs").toString())
            .redirectErrorStream(true)
            .start();
    assertTrue(node.waitFor(60, TimeUnit.SECONDS), "node did not finish within 60 s");
    String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Checked(node.exitValue(), output);
  }
}
