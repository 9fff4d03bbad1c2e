package io.bulwark.node;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A bad limit or admission setting stops the node before it starts anything, naming it. */
class ProtectionSettingsTest {

  private static NodeSettings withConfig(String hocon) {
    // No database is reached: settings are checked first.
    return new NodeSettings(
        "127.0.0.1",
        TestNode.freePort(),
        List.of(),
        TestNode.freePort(),
        TestNode.freePort(),
        "jdbc:postgresql://127.0.0.1:1/unused",
        "nobody",
        "unused",
        "unused-platform-key",
        hocon);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "bulwark.limits.tenant.writes-per-second = 0 | bulwark.limits.tenant.writes-per-second",
        "bulwark.limits.tenant.read-burst = lots | bulwark.limits.tenant.read-burst",
        "bulwark.limits.ip.requests-per-second = 2000000 | bulwark.limits.ip.requests-per-second",
        "bulwark.limits.auth-failures.burst = -1 | bulwark.limits.auth-failures.burst",
        "bulwark.limits.trusted-proxies = [\"proxy.local\"] | bulwark.limits.trusted-proxies",
        "bulwark.admission.limit = unbounded | bulwark.admission.limit",
        "bulwark.admission.target-latency = 0ms | bulwark.admission.target-latency",
        "bulwark.admission.target-percentile = 1.0 | bulwark.admission.target-percentile",
        "bulwark.admission.shares.sheddable = 1.5 | bulwark.admission.shares.sheddable",
        "bulwark.admission.shares.critical = 0.4 | bulwark.admission.shares",
        "bulwark.http.batch.parallelism = 0 | bulwark.http.batch.parallelism",
      })
  void aBadSettingStopsTheNodeWithItsName(String hocon, String named) {
    var error = assertThrows(StartupException.class, () -> BulwarkNode.start(withConfig(hocon)));
    assertTrue(error.getMessage().contains(named), error.getMessage());
  }
}
