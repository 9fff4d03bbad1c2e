package io.bulwark.loadtests;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.ActorSystem;

/**
 * The k6 scenarios (loadtests/k6) run by the Java generator, open model, with the same request mix:
 * baseline and soak at a constant {@code -Drate} for {@code -Dduration}; spike at rate, 4x rate for
 * 60 s, then rate again; stress in 60 s steps from 1x to 10x rate. A k6 ramp is a step here.
 * Prints, per phase, throughput, p50/p95/p99/max by kind of request and outcomes by status and
 * problem code, and writes them as JSON.
 *
 * <p>Arguments: base URL, platform key file, result JSON path. Properties: {@code scenario}
 * (baseline), {@code rate} (requests/s, 100), {@code duration} (seconds, 300 baseline, 7200 soak).
 */
public final class Scenario {
  private Scenario() {}

  record Phase(String name, double rate, Duration duration) {}

  static List<Phase> phases(String scenario, double rate, Duration duration) {
    return switch (scenario) {
      case "baseline", "soak" -> List.of(new Phase(scenario, rate, duration));
      case "spike" ->
          List.of(
              new Phase("before", rate, Duration.ofSeconds(30)),
              new Phase("spike", rate * 4, Duration.ofSeconds(60)),
              new Phase("after", rate, Duration.ofSeconds(60)));
      case "stress" -> {
        var steps = new ArrayList<Phase>();
        for (int factor : new int[] {1, 2, 4, 6, 8, 10}) {
          steps.add(new Phase(factor + "x", rate * factor, Duration.ofSeconds(60)));
        }
        yield steps;
      }
      default ->
          throw new IllegalArgumentException(
              "scenario must be baseline, spike, stress or soak, not " + scenario);
    };
  }

  public static void main(String[] args) throws Exception {
    var bench = Bench.fromArgs(args);
    String scenario = System.getProperty("scenario", "baseline");
    double rate = Double.parseDouble(System.getProperty("rate", "100"));
    long defaultSeconds = scenario.equals("soak") ? 7200 : 300;
    var duration = Duration.ofSeconds(Long.getLong("duration", defaultSeconds));
    var system = ActorSystem.create("loadtests");
    try {
      var ledger = Ledger.create(new Api(system, bench.url()), bench.platformKey(), 4, 50);
      Map<String, Object> result = run(system, ledger, scenario, phases(scenario, rate, duration));
      Files.createDirectories(bench.out().toAbsolutePath().getParent());
      Files.writeString(
          bench.out(),
          new com.fasterxml.jackson.databind.ObjectMapper()
              .writerWithDefaultPrettyPrinter()
              .writeValueAsString(result));
      System.out.println("  written to " + bench.out());
    } finally {
      system.terminate();
    }
  }

  static Map<String, Object> run(
      ActorSystem system, Ledger ledger, String scenario, List<Phase> phases) {
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("scenario", scenario);
    List<Map<String, Object>> results = new ArrayList<>();
    System.out.printf(
        "Scenario %s (open model; 70 %% transfers, 20 %% reads, 10 %% lists)%n", scenario);
    for (Phase phase : phases) {
      Recorder r =
          Load.open(
              system, phase.rate(), phase.duration(), 8192, i -> ledger.mixed(phase.name(), i));
      results.add(report(phase, r));
    }
    result.put("phases", results);
    return result;
  }

  private static Map<String, Object> report(Phase phase, Recorder r) {
    double seconds = phase.duration().toMillis() / 1000.0;
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("phase", phase.name());
    out.put("offeredPerSecond", phase.rate());
    out.put("seconds", seconds);
    out.put("answeredPerSecond", r.total() / seconds);
    out.put("outcomes", r.outcomes());
    System.out.printf(
        "  %s: offered %.0f/s, answered %.0f/s %s%n",
        phase.name(), phase.rate(), r.total() / seconds, r.outcomes());
    Map<String, Object> byKind = new LinkedHashMap<>();
    r.acceptedByKind.forEach(
        (kind, h) -> {
          Map<String, Object> latency = new LinkedHashMap<>();
          latency.put("count", h.getTotalCount());
          for (double p : new double[] {50, 95, 99}) {
            latency.put("p" + (int) p + "Ms", Recorder.millis(h, p));
          }
          latency.put("maxMs", h.getMaxValue() / 1e6);
          byKind.put(kind, latency);
          System.out.printf(
              "    %-8s %7d ok  p50 %6.1f  p95 %6.1f  p99 %6.1f  max %7.1f ms%n",
              kind,
              h.getTotalCount(),
              Recorder.millis(h, 50),
              Recorder.millis(h, 95),
              Recorder.millis(h, 99),
              h.getMaxValue() / 1e6);
        });
    out.put("acceptedLatencyByKind", byKind);
    out.put("refusedP99Ms", Recorder.millis(r.refused, 99));
    return out;
  }
}
