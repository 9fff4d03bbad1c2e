package io.bulwark.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
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

  /**
   * BULWARK_TELEMETRY, or the system property bulwark.telemetry.instrumentation (benchmarks set it
   * per node).
   */
  static boolean enabled(Map<String, String> env) {
    String value =
        System.getProperty(
                "bulwark.telemetry.instrumentation", env.getOrDefault("BULWARK_TELEMETRY", "on"))
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

  static void start(Config config, Map<String, String> env) {
    Kamon.init(tracing(env).withFallback(config));
  }

  /**
   * BULWARK_TRACING=otlp reports spans to an OpenTelemetry collector (OTEL_EXPORTER_OTLP_ENDPOINT):
   * new traces are sampled at BULWARK_TRACE_SAMPLE_RATE (default 0.01), a caller's traceparent
   * decides for its own. Unset or {@code off}: no span leaves the node.
   */
  static Config tracing(Map<String, String> env) {
    String tracing = env.getOrDefault("BULWARK_TRACING", "off").strip();
    switch (tracing) {
      case "off", "" -> {
        return ConfigFactory.empty();
      }
      case "otlp" -> {
        double rate = sampleRate(env.getOrDefault("BULWARK_TRACE_SAMPLE_RATE", "0.01"));
        return ConfigFactory.parseMap(
            Map.of(
                "kamon.modules.otel-trace-reporter.enabled",
                true,
                "kamon.trace.sampler",
                "random",
                "kamon.trace.random-sampler.probability",
                rate));
      }
      default ->
          throw new StartupException("BULWARK_TRACING must be off or otlp, not '" + tracing + "'");
    }
  }

  private static double sampleRate(String raw) {
    try {
      double rate = Double.parseDouble(raw.strip());
      if (rate >= 0 && rate <= 1) {
        return rate;
      }
    } catch (NumberFormatException e) {
      // told below
    }
    throw new StartupException(
        "BULWARK_TRACE_SAMPLE_RATE must be a number from 0 to 1, not '" + raw + "'");
  }
}
