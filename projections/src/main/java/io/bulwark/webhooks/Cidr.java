package io.bulwark.webhooks;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Arrays;

/** An address block, IPv4 or IPv6; the network's host bits are cleared. */
final class Cidr {
  private final byte[] network;
  private final int prefix;

  private Cidr(byte[] address, int prefix) {
    this.network = address.clone();
    this.prefix = prefix;
    for (int bit = prefix; bit < network.length * 8; bit++) {
      network[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
    }
  }

  /** The block {@code literal/prefix}; for the built-in tables, whose literals are known good. */
  static Cidr of(String literal, int prefix) {
    return new Cidr(
        IpLiterals.parse(literal)
            .orElseThrow(() -> new IllegalArgumentException(literal))
            .getAddress(),
        prefix);
  }

  /** A single address as a /32 or /128. */
  static Cidr of(InetAddress address) {
    return new Cidr(address.getAddress(), address.getAddress().length * 8);
  }

  /** Parses {@code address/prefix}; the message says what is wrong, not which entry it was. */
  static Cidr parse(String text) {
    int slash = text.lastIndexOf('/');
    String literal = AllowedTargets.stripBrackets(text.substring(0, slash));
    String bits = text.substring(slash + 1);
    InetAddress address =
        IpLiterals.parse(literal)
            .orElseThrow(
                () -> new IllegalArgumentException("'" + literal + "' is not an IP address"));
    if (address instanceof Inet4Address && literal.indexOf(':') >= 0) {
      throw new IllegalArgumentException("write an IPv4-mapped block in its IPv4 form");
    }
    int max = address.getAddress().length * 8;
    if (bits.isEmpty() || bits.length() > 3 || !bits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new IllegalArgumentException("the prefix must be a number from 0 to " + max);
    }
    int prefix = Integer.parseInt(bits);
    if (prefix > max) {
      throw new IllegalArgumentException("the prefix must be a number from 0 to " + max);
    }
    return new Cidr(address.getAddress(), prefix);
  }

  boolean contains(InetAddress address) {
    return contains(address.getAddress());
  }

  boolean contains(byte[] address) {
    if (address.length != network.length) {
      return false;
    }
    int whole = prefix / 8;
    for (int i = 0; i < whole; i++) {
      if (address[i] != network[i]) {
        return false;
      }
    }
    int rest = prefix % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xff << (8 - rest)) & 0xff;
    return (address[whole] & mask) == (network[whole] & 0xff);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Cidr c && prefix == c.prefix && Arrays.equals(network, c.network);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(network) + prefix;
  }

  @Override
  public String toString() {
    return IpLiterals.format(network) + "/" + prefix;
  }
}
