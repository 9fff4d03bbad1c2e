package io.bulwark.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A listening socket on a loopback address that counts every connection made to it, so a test can
 * prove a refused target was never connected to (not merely that no request completed).
 */
public final class ConnectionTrap implements AutoCloseable {
  private final ServerSocket socket;
  private final AtomicInteger accepted = new AtomicInteger();
  private final Thread acceptor;

  private ConnectionTrap(String address, int port) throws IOException {
    var host = InetAddress.getByName(address);
    if (!host.isLoopbackAddress()) {
      throw new IllegalArgumentException("tests listen on loopback only, not " + address);
    }
    socket = new ServerSocket();
    socket.bind(new InetSocketAddress(host, port));
    acceptor =
        new Thread(
            () -> {
              while (!socket.isClosed()) {
                try (var s = socket.accept()) {
                  accepted.incrementAndGet();
                } catch (IOException e) {
                  return;
                }
              }
            },
            "connection-trap");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public static ConnectionTrap on(String loopbackAddress) throws IOException {
    return new ConnectionTrap(loopbackAddress, 0);
  }

  /** On a given port, e.g. the one a receiver on another loopback address uses. */
  public static ConnectionTrap on(String loopbackAddress, int port) throws IOException {
    return new ConnectionTrap(loopbackAddress, port);
  }

  public int port() {
    return socket.getLocalPort();
  }

  public String url(String path) {
    return "http://" + socket.getInetAddress().getHostAddress() + ":" + port() + path;
  }

  public int connections() {
    return accepted.get();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
