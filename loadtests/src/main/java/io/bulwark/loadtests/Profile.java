package io.bulwark.loadtests;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.pekko.actor.ActorSystem;

/**
 * Issue 20's profile, the generator's part: what one transfer costs, per workload. For the uniform
 * and the hot-account workload it runs 32 transfers in flight for a phase and divides what the
 * {@code sample.command} (a shell command printing {@code name=value} counters: CPU milliseconds of
 * the node and of PostgreSQL, the journal's and tags' rows, PostgreSQL's rows and commits) moved
 * during the phase by the transfers completed in it.
 *
 * <p>Arguments: base URL, platform key file. Properties: {@code phase.seconds} (20), {@code
 * sample.command}.
 */
public final class Profile {
  private static final Duration PHASE = Duration.ofSeconds(Long.getLong("phase.seconds", 20));

  private Profile() {}

  public static void main(String[] args) throws Exception {
    var bench = Bench.fromArgs(new String[] {args[0], args[1], "unused"});
    var system = ActorSystem.create("profile");
    try {
      var api = new Api(system, bench.url());
      var ledger = Ledger.create(api, bench.platformKey(), 4, 50);
      Load.closed(system, 32, Duration.ofSeconds(30), i -> ledger.transfer("warm", i));
      measure("uniform", () -> Load.closed(system, 32, PHASE, i -> ledger.transfer("p", i)));
      measure("hot account", () -> Load.closed(system, 32, PHASE, ledger::hotTransfer));
      idle();
    } finally {
      system.terminate();
    }
  }

  private interface Phase {
    Recorder run() throws Exception;
  }

  private static void measure(String name, Phase phase) throws Exception {
    var before = sample();
    var run = phase.run();
    var after = sample();
    long transfers = run.count("2");
    System.out.printf(
        "%s, 32 in flight: %.0f transfers/s %s%n",
        name, transfers / (PHASE.toMillis() / 1000.0), run.outcomes());
    for (var counter : after.entrySet()) {
      double delta = counter.getValue() - before.getOrDefault(counter.getKey(), 0.0);
      System.out.printf("  %-28s %10.2f per transfer%n", counter.getKey(), delta / transfers);
    }
  }

  /** The same counters over a phase without traffic, per second: what polling costs. */
  private static void idle() throws Exception {
    Thread.sleep(5_000); // let the last transfers' projection and webhook work finish
    var before = sample();
    Thread.sleep(PHASE.toMillis());
    var after = sample();
    System.out.println("idle (no requests):");
    for (var counter : after.entrySet()) {
      double delta = counter.getValue() - before.getOrDefault(counter.getKey(), 0.0);
      System.out.printf(
          "  %-28s %10.2f per second%n", counter.getKey(), delta / (PHASE.toMillis() / 1000.0));
    }
  }

  private static Map<String, Double> sample() throws Exception {
    Map<String, Double> counters = new LinkedHashMap<>();
    String command = System.getProperty("sample.command");
    if (command == null) {
      return counters;
    }
    var process = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes());
    process.waitFor();
    for (String pair : out.strip().split("\\s+")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        counters.put(pair.substring(0, eq), Double.parseDouble(pair.substring(eq + 1)));
      }
    }
    return counters;
  }
}
