package io.bulwark.node;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A cheap flood: a few threads, each on one keep-alive connection, sending the same request as fast
 * as a pace allows and reading just the status line and body. The JDK's HttpClient costs the shared
 * test machine far more per request than the server spends refusing it, which would measure the
 * client rather than the node.
 */
final class Flood {
  private Flood() {}

  /** Sends about {@code perSecond} requests for {@code duration}; returns the count per status. */
  static Map<Integer, Long> run(
      int port, byte[] request, int connections, double perSecond, Duration duration)
      throws InterruptedException {
    Map<Integer, AtomicLong> counts = new ConcurrentHashMap<>();
    long end = System.nanoTime() + duration.toNanos();
    long intervalNanos = (long) (1e9 * connections / perSecond);
    Thread[] threads = new Thread[connections];
    for (int c = 0; c < connections; c++) {
      threads[c] =
          new Thread(
              () -> {
                try (var socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                  socket.setTcpNoDelay(true);
                  OutputStream out = socket.getOutputStream();
                  InputStream in = new BufferedInputStream(socket.getInputStream());
                  long next = System.nanoTime();
                  while (System.nanoTime() < end) {
                    out.write(request);
                    out.flush();
                    int status = readResponse(in);
                    counts.computeIfAbsent(status, s -> new AtomicLong()).incrementAndGet();
                    next += intervalNanos;
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                      Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                  }
                } catch (IOException | InterruptedException e) {
                  counts.computeIfAbsent(-1, s -> new AtomicLong()).incrementAndGet();
                }
              },
              "flood-" + c);
      threads[c].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    Map<Integer, Long> result = new java.util.TreeMap<>();
    counts.forEach((status, n) -> result.put(status, n.get()));
    return result;
  }

  /** A POST with a JSON body, keep-alive, as raw bytes. */
  static byte[] post(String path, Map<String, String> headers, String json) {
    var text = new StringBuilder("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    headers.forEach((k, v) -> text.append(k).append(": ").append(v).append("\r\n"));
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    text.append("Content-Type: application/json\r\nContent-Length: ")
        .append(body.length)
        .append("\r\n\r\n")
        .append(json);
    return text.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static int readResponse(InputStream in) throws IOException {
    String statusLine = readLine(in);
    int status = Integer.parseInt(statusLine.split(" ")[1]);
    int length = 0;
    for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
      if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    in.readNBytes(length);
    return status;
  }

  private static String readLine(InputStream in) throws IOException {
    var line = new StringBuilder();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        throw new IOException("connection closed");
      }
      if (b != '\r') {
        line.append((char) b);
      }
    }
    return line.toString();
  }
}
