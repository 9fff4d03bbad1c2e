package io.bulwark.webhooks;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * BULWARK_WEBHOOK_ALLOWED_TARGETS: hosts and address blocks exempt from the public-address rule and
 * allowed plain http (ADR 0023). Meant for tests and private deployments (127.0.0.1, an internal
 * receiver); a production node leaves it empty. Host names match exactly, never by suffix: allowing
 * "hooks.internal" must not allow "evil.hooks.internal", which its tenant might control.
 */
public final class AllowedTargets {
  private static final int MAX_HOST_LENGTH = 253;
  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  private static final AllowedTargets NONE = new AllowedTargets(Set.of(), List.of());

  private final Set<String> hosts;
  private final List<Cidr> blocks;
  private final String description;

  private AllowedTargets(Set<String> hosts, List<Cidr> blocks) {
    this.hosts = Set.copyOf(hosts);
    this.blocks = List.copyOf(blocks);
    this.description = describe(hosts, blocks);
  }

  public static AllowedTargets none() {
    return NONE;
  }

  /**
   * Parses a comma-separated list of host names, IP addresses and CIDR blocks; blank entries are
   * skipped, so null or "" is {@link #none()}.
   *
   * @throws IllegalArgumentException naming the first entry that is none of these
   */
  public static AllowedTargets parse(String commaSeparated) {
    if (commaSeparated == null || commaSeparated.isBlank()) {
      return NONE;
    }
    Set<String> hosts = new LinkedHashSet<>();
    List<Cidr> blocks = new ArrayList<>();
    for (String raw : commaSeparated.split(",", -1)) {
      String entry = raw.strip();
      if (entry.isEmpty()) {
        continue;
      }
      try {
        if (entry.indexOf('/') >= 0) {
          Cidr block = Cidr.parse(entry);
          if (!blocks.contains(block)) {
            blocks.add(block);
          }
          continue;
        }
        String bare = stripBrackets(entry);
        Optional<InetAddress> literal = IpLiterals.parse(bare);
        if (literal.isPresent()) {
          Cidr block = Cidr.of(literal.get());
          if (!blocks.contains(block)) {
            blocks.add(block);
          }
          continue;
        }
        hosts.add(hostName(entry));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "BULWARK_WEBHOOK_ALLOWED_TARGETS: '"
                + entry
                + "' is not a host name, an IP address or a CIDR block: "
                + e.getMessage(),
            e);
      }
    }
    return hosts.isEmpty() && blocks.isEmpty() ? NONE : new AllowedTargets(hosts, blocks);
  }

  public boolean isEmpty() {
    return hosts.isEmpty() && blocks.isEmpty();
  }

  /**
   * Whether a URL may name {@code host} (case-insensitive, IPv6 brackets allowed) with plain http:
   * only a listed name, or an IP literal inside a listed block. A name that resolves into a block
   * is judged by {@link TargetPolicy} on the address it resolves to at each attempt.
   */
  public boolean allowsPlainHttp(String host) {
    String bare = stripBrackets(host.toLowerCase(Locale.ROOT));
    return hosts.contains(bare) || IpLiterals.parse(bare).map(this::allowsAddress).orElse(false);
  }

  /** {@code host}: lower case, no brackets. */
  boolean allowsName(String host) {
    return hosts.contains(host);
  }

  boolean allowsAddress(InetAddress address) {
    InetAddress canonical = IpLiterals.canonical(address);
    return blocks.stream().anyMatch(b -> b.contains(canonical));
  }

  static String stripBrackets(String host) {
    if (host.length() > 2 && host.startsWith("[") && host.endsWith("]")) {
      return host.substring(1, host.length() - 1);
    }
    return host;
  }

  private static String hostName(String entry) {
    String host = entry.toLowerCase(Locale.ROOT);
    if (host.length() > MAX_HOST_LENGTH) {
      throw new IllegalArgumentException("longer than " + MAX_HOST_LENGTH + " characters");
    }
    if (IpLiterals.looksLikeIp(host)) {
      throw new IllegalArgumentException("not a valid IP address");
    }
    if (!isHostName(host)) {
      throw new IllegalArgumentException(
          "a host name is dot-separated labels of letters, digits and inner hyphens");
    }
    return host;
  }

  /** {@code host}: lower case; dot-separated DNS labels, at most 253 characters. */
  static boolean isHostName(String host) {
    if (host.isEmpty() || host.length() > MAX_HOST_LENGTH) {
      return false;
    }
    for (String label : host.split("\\.", -1)) {
      if (!LABEL.matcher(label).matches()) {
        return false;
      }
    }
    return true;
  }

  private static String describe(Set<String> hosts, List<Cidr> blocks) {
    List<String> entries = new ArrayList<>();
    blocks.forEach(b -> entries.add(b.toString()));
    entries.addAll(hosts);
    return "AllowedTargets" + (entries.isEmpty() ? "[none]" : entries.toString());
  }

  @Override
  public String toString() {
    return description;
  }
}
