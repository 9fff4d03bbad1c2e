package io.bulwark.http.limits;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.HttpRequest;

/**
 * The client address that per-IP limits count against: the TCP peer, unless the peer is a trusted
 * proxy, in which case the nearest address in X-Forwarded-For that is not itself a trusted proxy. A
 * client can therefore not choose its own address by sending the header.
 */
public final class ClientAddress {
  private static final String UNKNOWN = "unknown";
  private final List<Cidr> trusted;

  public ClientAddress(List<String> trustedProxies) {
    this.trusted = parseTrusted(trustedProxies);
  }

  public String resolve(HttpRequest request) {
    Optional<InetAddress> peer =
        request.getAttribute(AttributeKeys.remoteAddress).flatMap(a -> a.getAddress());
    if (peer.isEmpty()) {
      return UNKNOWN;
    }
    InetAddress current = peer.get();
    if (!isTrusted(current)) {
      return current.getHostAddress();
    }
    var forwarded = request.getHeader("X-Forwarded-For");
    if (forwarded.isEmpty()) {
      return current.getHostAddress();
    }
    String[] hops = forwarded.get().value().split(",");
    for (int i = hops.length - 1; i >= 0; i--) {
      Optional<InetAddress> hop = literal(hops[i].trim());
      if (hop.isEmpty()) {
        break;
      }
      current = hop.get();
      if (!isTrusted(current)) {
        break;
      }
    }
    return current.getHostAddress();
  }

  private boolean isTrusted(InetAddress address) {
    for (Cidr cidr : trusted) {
      if (cidr.contains(address)) {
        return true;
      }
    }
    return false;
  }

  /** Accepts IP literals and CIDR blocks (IPv4 or IPv6); anything else is refused. */
  static List<Cidr> parseTrusted(List<String> entries) {
    List<Cidr> parsed = new ArrayList<>();
    for (String entry : entries) {
      String[] parts = entry.trim().split("/", 2);
      InetAddress base =
          literal(parts[0])
              .orElseThrow(
                  () -> new IllegalArgumentException("'" + entry + "' is not an IP or CIDR block"));
      int max = base.getAddress().length * 8;
      int prefix = max;
      if (parts.length == 2) {
        try {
          prefix = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
          prefix = -1;
        }
        if (prefix < 0 || prefix > max) {
          throw new IllegalArgumentException("'" + entry + "' has an invalid prefix length");
        }
      }
      parsed.add(new Cidr(base.getAddress(), prefix));
    }
    return List.copyOf(parsed);
  }

  /** Parses an IP literal only: never a host name, so no DNS lookup can happen. */
  private static Optional<InetAddress> literal(String text) {
    boolean ipv4 = text.matches("\\d{1,3}(\\.\\d{1,3}){3}") && octetsInRange(text);
    boolean ipv6 = text.contains(":") && text.matches("[0-9A-Fa-f:.]+");
    if (!ipv4 && !ipv6) {
      return Optional.empty();
    }
    try {
      return Optional.of(InetAddress.getByName(text));
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  private static boolean octetsInRange(String ipv4) {
    for (String octet : ipv4.split("\\.")) {
      if (Integer.parseInt(octet) > 255) {
        return false;
      }
    }
    return true;
  }

  record Cidr(byte[] network, int prefix) {
    boolean contains(InetAddress address) {
      byte[] bytes = address.getAddress();
      if (bytes.length != network.length) {
        return false;
      }
      int full = prefix / 8;
      for (int i = 0; i < full; i++) {
        if (bytes[i] != network[i]) {
          return false;
        }
      }
      int rest = prefix % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xFF << (8 - rest)) & 0xFF;
      return (bytes[full] & mask) == (network[full] & mask);
    }
  }
}
