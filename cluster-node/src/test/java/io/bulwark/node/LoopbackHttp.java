package io.bulwark.node;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket bound to one loopback source address (127.0.0.N): the JDK's client
 * cannot choose its source address, and would refuse to send most of what the fuzz sends (control
 * bytes, invalid UTF-8, bad framing). Keeps its connection alive between exchanges when the server
 * does.
 */
final class LoopbackHttp implements AutoCloseable {
  /** One answer, with its header names in lower case and how long it took from the first byte. */
  record Answer(int status, Map<String, String> headers, byte[] body, long nanos) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  private final InetAddress source;
  private final int port;
  private Socket socket;
  private InputStream in;

  LoopbackHttp(InetAddress source, int port) {
    this.source = source;
    this.port = port;
  }

  /**
   * Sends {@code request} (complete bytes) and reads one answer. A kept-alive connection the server
   * closed while idle fails before any byte of an answer: then the request goes once more over a
   * new connection, which cannot run it twice, as the closed one never read it.
   */
  Answer exchange(byte[] request, int timeoutMillis) throws IOException {
    boolean reused = socket != null;
    // the answer to HEAD has the header fields of a GET's, Content-Length included, and no body
    boolean bodiless =
        request.length > 4
            && new String(request, 0, 5, StandardCharsets.ISO_8859_1).equals("HEAD ");
    try {
      return exchangeOnce(request, timeoutMillis, bodiless);
    } catch (EOFException | SocketException e) {
      close();
      if (!reused) {
        throw e;
      }
      return exchangeOnce(request, timeoutMillis, bodiless);
    }
  }

  private Answer exchangeOnce(byte[] request, int timeoutMillis, boolean bodiless)
      throws IOException {
    if (socket == null) {
      socket = new Socket();
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(source, 0));
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
      socket.setTcpNoDelay(true);
      in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
    }
    socket.setSoTimeout(timeoutMillis);
    long start = System.nanoTime();
    try {
      socket.getOutputStream().write(request);
      socket.getOutputStream().flush();
    } catch (SocketException refusedWhileSending) {
      // the server answered (413, 400) and closed before reading it all: read that answer
    }
    Answer answer = read(start, bodiless);
    String connection = answer.header("connection");
    if (connection != null && connection.toLowerCase(Locale.ROOT).contains("close")) {
      close();
    }
    return answer;
  }

  private Answer read(long start, boolean bodiless) throws IOException {
    String statusLine = line();
    if (statusLine == null) {
      throw new EOFException("the connection closed before an answer");
    }
    String[] parts = statusLine.split(" ", 3);
    int status = Integer.parseInt(parts[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (String h = line(); h != null && !h.isEmpty(); h = line()) {
      int colon = h.indexOf(':');
      headers.merge(
          h.substring(0, colon).strip().toLowerCase(Locale.ROOT),
          h.substring(colon + 1).strip(),
          (a, b) -> a + ", " + b);
    }
    byte[] body;
    String length = headers.get("content-length");
    if (bodiless || status == 204 || status == 304 || status < 200) {
      body = new byte[0];
    } else if (length != null) {
      body = in.readNBytes(Integer.parseInt(length));
    } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      body = chunked();
    } else {
      body = in.readAllBytes();
      close();
    }
    return new Answer(status, headers, body, System.nanoTime() - start);
  }

  private byte[] chunked() throws IOException {
    var out = new ByteArrayOutputStream();
    for (; ; ) {
      String size = line();
      if (size == null) {
        throw new EOFException("the connection closed inside a chunked body");
      }
      int n = Integer.parseInt(size.split(";", 2)[0].strip(), 16);
      if (n == 0) {
        while (!line().isEmpty()) {
          // trailer fields: none expected, skipped
        }
        return out.toByteArray();
      }
      out.write(in.readNBytes(n));
      line();
    }
  }

  /** A CRLF-terminated line as ISO-8859-1, or null at the end of the stream. */
  private String line() throws IOException {
    var out = new StringBuilder();
    for (int b = in.read(); b >= 0; b = in.read()) {
      if (b == '\n') {
        int end = out.length();
        return end > 0 && out.charAt(end - 1) == '\r' ? out.substring(0, end - 1) : out.toString();
      }
      out.append((char) b);
    }
    return out.length() == 0 ? null : out.toString();
  }

  @Override
  public void close() {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing a loopback socket we are done with
      } finally {
        socket = null;
        in = null;
      }
    }
  }
}
