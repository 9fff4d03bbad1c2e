package io.bulwark.webhooks;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The address blocks a webhook must never reach: anything that is not the public internet. A more
 * specific block comes before the block that holds it, so that its kind is the one named.
 */
final class AddressRanges {
  private AddressRanges() {}

  /** {@code embedding}: an address kind that carries an IPv4 address at {@code at}; else null. */
  private record Range(Cidr block, String kind, String embedding, int at) {
    static Range of(String literal, int prefix, String kind) {
      return new Range(Cidr.of(literal, prefix), kind, null, 0);
    }

    static Range embedding(String literal, int prefix, String embedding, int at) {
      return new Range(Cidr.of(literal, prefix), null, embedding, at);
    }
  }

  private static final List<Range> V4 =
      List.of(
          Range.of("0.0.0.0", 8, "an unspecified (this-network)"),
          Range.of("10.0.0.0", 8, "a private"),
          Range.of("100.100.100.200", 32, "a carrier-grade NAT (cloud metadata)"),
          Range.of("100.64.0.0", 10, "a carrier-grade NAT"),
          Range.of("127.0.0.0", 8, "a loopback"),
          Range.of("169.254.0.0", 16, "a link-local (cloud metadata)"),
          Range.of("172.16.0.0", 12, "a private"),
          Range.of("192.0.0.0", 24, "a reserved (IETF protocol)"),
          Range.of("192.0.2.0", 24, "a reserved (documentation)"),
          Range.of("192.88.99.0", 24, "a reserved (6to4 relay)"),
          Range.of("192.168.0.0", 16, "a private"),
          Range.of("198.18.0.0", 15, "a reserved (benchmarking)"),
          Range.of("198.51.100.0", 24, "a reserved (documentation)"),
          Range.of("203.0.113.0", 24, "a reserved (documentation)"),
          Range.of("224.0.0.0", 4, "a multicast"),
          Range.of("255.255.255.255", 32, "a broadcast"),
          Range.of("240.0.0.0", 4, "a reserved"));

  private static final List<Range> V6 =
      List.of(
          Range.of("::", 128, "an unspecified"),
          Range.of("::1", 128, "a loopback"),
          Range.embedding("::ffff:0:0", 96, "IPv4-mapped", 12),
          Range.embedding("::", 96, "IPv4-compatible", 12),
          Range.embedding("64:ff9b::", 96, "NAT64", 12),
          // The local-use NAT64 prefix translates to whatever the operator chose: never public.
          Range.of("64:ff9b:1::", 48, "a reserved (local NAT64)"),
          Range.of("100::", 64, "a reserved (discard-only)"),
          Range.of("2001::", 23, "a reserved (IETF protocol)"),
          Range.of("2001:db8::", 32, "a reserved (documentation)"),
          Range.embedding("2002::", 16, "6to4", 2),
          Range.of("fd00:ec2::254", 128, "a unique-local (cloud metadata)"),
          Range.of("fc00::", 7, "a unique-local (private)"),
          Range.of("fe80::", 10, "a link-local"),
          Range.of("fec0::", 10, "a site-local (private)"),
          Range.of("ff00::", 8, "a multicast"));

  /**
   * Why {@code address} is not public, e.g. "a loopback address"; empty when it is public. An
   * address that embeds an IPv4 address is judged by that IPv4 address, since that is where a
   * translating network delivers it.
   */
  static Optional<String> whyNotPublic(InetAddress address) {
    return whyNotPublic(address.getAddress());
  }

  private static Optional<String> whyNotPublic(byte[] address) {
    for (Range range : address.length == 4 ? V4 : V6) {
      if (!range.block().contains(address)) {
        continue;
      }
      if (range.embedding() == null) {
        return Optional.of(range.kind() + " address");
      }
      byte[] inner = Arrays.copyOfRange(address, range.at(), range.at() + 4);
      String via = " (" + IpLiterals.format(inner) + " inside a " + range.embedding() + " address)";
      return whyNotPublic(inner).map(why -> why + via);
    }
    return Optional.empty();
  }
}
