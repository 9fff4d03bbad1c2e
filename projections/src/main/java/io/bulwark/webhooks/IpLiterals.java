package io.bulwark.webhooks;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Optional;

/**
 * IP literals parsed without DNS: a literal host must never reach a resolver, where a crafted name
 * could be answered with any address.
 */
final class IpLiterals {
  private IpLiterals() {}

  /** The address {@code text} spells (no brackets), or empty when it is not an IP literal. */
  static Optional<InetAddress> parse(String text) {
    if (text == null || text.isEmpty()) {
      return Optional.empty();
    }
    if (text.indexOf(':') >= 0) {
      return parseV6(text);
    }
    byte[] v4 = parseV4(text);
    return v4 == null ? Optional.empty() : Optional.of(fromBytes(v4));
  }

  /**
   * Whether {@code host} is meant as an IP address (it has a ':' or its last label is numeric) even
   * if it is not a valid one; such a host is refused rather than handed to a resolver, which might
   * read "010.0.0.1" or "127.1" its own way.
   */
  static boolean looksLikeIp(String host) {
    if (host.indexOf(':') >= 0) {
      return true;
    }
    String last = host.substring(host.lastIndexOf('.') + 1);
    return last.startsWith("0x") || (!last.isEmpty() && last.chars().allMatch(IpLiterals::isDigit));
  }

  /** The same address, an IPv4-mapped IPv6 address turned into its IPv4 form. */
  static InetAddress canonical(InetAddress address) {
    byte[] b = address.getAddress();
    if (b.length == 16 && isV4Mapped(b)) {
      return fromBytes(Arrays.copyOfRange(b, 12, 16));
    }
    return address;
  }

  /** Dotted quad for IPv4, compressed hex (RFC 5952) for IPv6, never a host name. */
  static String format(byte[] b) {
    if (b.length == 4) {
      return (b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + "." + (b[3] & 0xff);
    }
    int bestStart = -1;
    int bestLength = 1;
    for (int i = 0; i < 8; i++) {
      int j = i;
      while (j < 8 && group(b, j) == 0) {
        j++;
      }
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = Math.max(i, j);
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        out.append("::");
        i += bestLength - 1;
        continue;
      }
      if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
        out.append(':');
      }
      out.append(Integer.toHexString(group(b, i)));
    }
    return out.toString();
  }

  static String format(InetAddress address) {
    return format(address.getAddress());
  }

  private static Optional<InetAddress> parseV6(String text) {
    char first = text.charAt(0);
    if (first != ':' && Character.digit(first, 16) < 0) {
      return Optional.empty();
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c != ':' && c != '.' && Character.digit(c, 16) < 0) {
        return Optional.empty();
      }
    }
    try {
      // Brackets make the JDK insist on a literal: a string it cannot parse is refused, not looked
      // up.
      return Optional.of(canonical(InetAddress.getByName("[" + text + "]")));
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  private static byte[] parseV4(String text) {
    String[] parts = text.split("\\.", -1);
    if (parts.length != 4) {
      return null;
    }
    byte[] bytes = new byte[4];
    for (int i = 0; i < 4; i++) {
      String part = parts[i];
      // Leading zeros are octal to some parsers and decimal to others: not a literal here.
      if (part.isEmpty()
          || part.length() > 3
          || (part.length() > 1 && part.charAt(0) == '0')
          || !part.chars().allMatch(IpLiterals::isDigit)) {
        return null;
      }
      int value = Integer.parseInt(part);
      if (value > 255) {
        return null;
      }
      bytes[i] = (byte) value;
    }
    return bytes;
  }

  private static boolean isV4Mapped(byte[] b) {
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
  }

  private static InetAddress fromBytes(byte[] bytes) {
    try {
      return bytes.length == 16
          ? Inet6Address.getByAddress(null, bytes, -1)
          : InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new IllegalStateException("an address of " + bytes.length + " bytes", e);
    }
  }

  private static int group(byte[] b, int i) {
    return ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
  }

  private static boolean isDigit(int c) {
    return c >= '0' && c <= '9';
  }
}
