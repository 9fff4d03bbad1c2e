package io.bulwark.node;

import com.typesafe.config.Config;
import java.util.Map;
import kamon.Kamon;

/**
 * Kamon for the whole process: metrics for Prometheus on a port of their own, W3C trace context
 * across HTTP, asks and nodes, trace ids in every log line. Started before anything loads Pekko, so
 * its instrumentation (Kanela, attached at run time) sees every class it changes.
 * BULWARK_TELEMETRY=off leaves the instrumentation and the metrics endpoint out (to measure what
 * they cost); Bulwark's own counters are then kept in memory and not exposed.
 */
final class Telemetry {
  private Telemetry() {}

  /** BULWARK_TELEMETRY, or the system property bulwark.telemetry (benchmarks set it per node). */
  static boolean enabled(Map<String, String> env) {
    String value =
        System.getProperty("bulwark.telemetry", env.getOrDefault("BULWARK_TELEMETRY", "on"))
            .strip();
    return switch (value) {
      case "on", "" -> true;
      case "off" -> false;
      default ->
          throw new StartupException("BULWARK_TELEMETRY must be on or off, not '" + value + "'");
    };
  }

  /**
   * BULWARK_LOG_FORMAT: {@code text} (logback.xml) or {@code json} (logback-json.xml). Runs before
   * logging starts, so a bad value is told on stderr and stops the process.
   */
  static void chooseLogFormat(Map<String, String> env) {
    String value = env.getOrDefault("BULWARK_LOG_FORMAT", "text").strip();
    switch (value) {
      case "text", "" -> {}
      case "json" -> {
        if (System.getProperty("logback.configurationFile") == null) {
          System.setProperty("logback.configurationFile", "logback-json.xml");
        }
        JsonConsole.install();
      }
      default -> {
        System.err.println(
            "Bulwark cannot start: BULWARK_LOG_FORMAT must be text or json, not '" + value + "'");
        System.exit(2);
      }
    }
  }

  static void start(Config config) {
    Kamon.init(config);
  }
}
