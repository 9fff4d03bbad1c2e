package io.bulwark.webhooks;

import static org.junit.jupiter.api.Assertions.fail;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;

/** Resolvers and addresses for tests that must never ask a real DNS server. */
final class FakeDns {
  /** A resolver that must not be asked: IP literals are parsed, never looked up. */
  static final HostResolver NO_LOOKUPS = host -> fail("the resolver was asked for " + host);

  private FakeDns() {}

  /** Answers from {@code answers}, read at each call so that a test can change them. */
  static HostResolver resolver(Map<String, List<InetAddress>> answers) {
    return host -> {
      List<InetAddress> found = answers.get(host);
      if (found == null) {
        throw new UnknownHostException(host);
      }
      return found;
    };
  }

  /** An IP literal: the JDK parses it without any lookup. */
  static InetAddress ip(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(literal, e);
    }
  }

  /** ::ffff:a.b.c.d kept as an Inet6Address, as a resolver might hand it over. */
  static InetAddress v4Mapped(int a, int b, int c, int d) {
    byte[] bytes = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, (byte) a, (byte) b, (byte) c, (byte) d};
    try {
      return Inet6Address.getByAddress(null, bytes, -1);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
