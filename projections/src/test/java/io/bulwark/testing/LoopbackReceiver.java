package io.bulwark.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A webhook receiver on a loopback address for tests: it records every request (headers, body,
 * time) and answers what {@link #answer} says, after an optional delay. Exported in the test-jar.
 */
public final class LoopbackReceiver implements AutoCloseable {
  /** One request as it arrived, and the status it was answered; header names lower-case. */
  public record Received(Map<String, List<String>> headers, String body, Instant at, int status) {
    public boolean succeeded() {
      return status >= 200 && status < 300;
    }

    public String header(String name) {
      var values = headers.get(name);
      return values == null || values.isEmpty() ? null : values.get(0);
    }
  }

  /** How to answer: a status, extra headers, and how long to wait first. */
  public record Answer(int status, Map<String, String> headers, Duration delay) {
    public static Answer status(int status) {
      return new Answer(status, Map.of(), Duration.ZERO);
    }

    public static final Answer OK = status(200);
  }

  public final List<Received> received = new CopyOnWriteArrayList<>();
  private final AtomicInteger requests = new AtomicInteger();
  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private volatile Function<Received, Answer> answer = r -> Answer.OK;

  private LoopbackReceiver(String address) throws IOException {
    var host = InetAddress.getByName(address);
    if (!host.isLoopbackAddress()) {
      throw new IllegalArgumentException("tests receive on loopback only, not " + address);
    }
    server = HttpServer.create(new InetSocketAddress(host, 0), 64);
    server.createContext("/", this::handle);
    server.setExecutor(threads);
    server.start();
  }

  public static LoopbackReceiver on(String loopbackAddress) throws IOException {
    return new LoopbackReceiver(loopbackAddress);
  }

  public static LoopbackReceiver start() throws IOException {
    return on("127.0.0.1");
  }

  /** {@code http://<address>:<port><path>} */
  public String url(String path) {
    var a = server.getAddress();
    return "http://" + a.getAddress().getHostAddress() + ":" + a.getPort() + path;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** Answers by {@code rule} from now on. */
  public void answer(Function<Received, Answer> rule) {
    this.answer = rule;
  }

  public int requestCount() {
    return requests.get();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      var headers = new HashMap<String, List<String>>();
      exchange
          .getRequestHeaders()
          .forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), List.copyOf(v)));
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      var arrived = new Received(headers, body, Instant.now(), 0);
      requests.incrementAndGet();
      var a = answer.apply(arrived);
      received.add(new Received(headers, body, arrived.at(), a.status()));
      if (!a.delay().isZero()) {
        Thread.sleep(a.delay().toMillis());
      }
      a.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
      exchange.sendResponseHeaders(a.status(), -1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
