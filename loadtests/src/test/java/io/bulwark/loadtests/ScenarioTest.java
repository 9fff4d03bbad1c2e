package io.bulwark.loadtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Java generator's scenarios have the shapes of the k6 scripts of the same names. */
class ScenarioTest {

  @Test
  void baselineAndSoakAreOneSteadyPhase() {
    for (String name : List.of("baseline", "soak")) {
      var phases = Scenario.phases(name, 80, Duration.ofSeconds(42));
      assertEquals(List.of(new Scenario.Phase(name, 80, Duration.ofSeconds(42))), phases);
    }
  }

  @Test
  void spikeIsFourTimesTheRateForAMinuteBetweenTwoSteadyPhases() {
    var phases = Scenario.phases("spike", 50, Duration.ofSeconds(1));
    assertEquals(
        List.of(
            new Scenario.Phase("before", 50, Duration.ofSeconds(30)),
            new Scenario.Phase("spike", 200, Duration.ofSeconds(60)),
            new Scenario.Phase("after", 50, Duration.ofSeconds(60))),
        phases);
  }

  @Test
  void stressClimbsToTenTimesTheRateInMinuteSteps() {
    var phases = Scenario.phases("stress", 10, Duration.ofSeconds(1));
    assertEquals(
        List.of(10.0, 20.0, 40.0, 60.0, 80.0, 100.0),
        phases.stream().map(Scenario.Phase::rate).toList());
    phases.forEach(p -> assertEquals(Duration.ofSeconds(60), p.duration()));
  }

  @Test
  void anUnknownScenarioIsRefusedByName() {
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Scenario.phases("smoke", 1, Duration.ofSeconds(1)));
    assertEquals("scenario must be baseline, spike, stress or soak, not smoke", e.getMessage());
  }
}
