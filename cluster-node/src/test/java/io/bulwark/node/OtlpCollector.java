package io.bulwark.node;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in OpenTelemetry collector on loopback: accepts OTLP/HTTP protobuf exports at {@code
 * /v1/traces} and keeps their bodies, so a test can look for a trace id's 16 bytes in them.
 */
final class OtlpCollector implements AutoCloseable {
  private final HttpServer server;
  private final List<byte[]> exports = new CopyOnWriteArrayList<>();

  private OtlpCollector(HttpServer server) {
    this.server = server;
  }

  static OtlpCollector start() throws java.io.IOException {
    var server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    var collector = new OtlpCollector(server);
    server.createContext(
        "/v1/traces",
        exchange -> {
          try (exchange) {
            collector.exports.add(exchange.getRequestBody().readAllBytes());
            // An empty ExportTraceServiceResponse: every span accepted.
            exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, -1);
          }
        });
    server.start();
    return collector;
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  boolean sawTrace(String traceIdHex) {
    byte[] id = HexFormat.of().parseHex(traceIdHex);
    return exports.stream().anyMatch(body -> indexOf(body, id) >= 0);
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
