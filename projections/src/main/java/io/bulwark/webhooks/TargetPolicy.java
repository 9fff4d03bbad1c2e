package io.bulwark.webhooks;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Where webhooks may go (SSRF guard, ADR 0023): https to public addresses only, unless {@link
 * AllowedTargets} exempts the target. A tenant chooses the URL, so without this guard Bulwark would
 * fetch its own loopback, the private network or the cloud metadata service on the tenant's behalf.
 *
 * <p>The host is checked at registration and again at every attempt, and the attempt must connect
 * to the address {@link #addressFor} returned: a name can resolve to a public address when checked
 * and to 127.0.0.1 a second later (DNS rebinding), so a check without the connect is worthless.
 * Refusal messages go to the client and name only what the client sent and what it resolved to.
 */
public final class TargetPolicy {
  public static final int MAX_URL_LENGTH = 2048;

  private final AllowedTargets allowed;
  private final HostResolver resolver;

  public TargetPolicy(AllowedTargets allowed, HostResolver resolver) {
    this.allowed = Objects.requireNonNull(allowed, "allowed");
    this.resolver = Objects.requireNonNull(resolver, "resolver");
  }

  /** At registration: the URL, normalized, or why it is refused. Resolves the host once. */
  public URI checkUrl(String url) throws TargetRefusedException {
    if (url == null || url.isBlank()) {
      throw new TargetRefusedException("a URL is required");
    }
    if (url.length() > MAX_URL_LENGTH) {
      throw new TargetRefusedException("the URL must be at most " + MAX_URL_LENGTH + " characters");
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new TargetRefusedException("the URL is not valid");
    }
    if (!uri.isAbsolute() || uri.isOpaque()) {
      throw new TargetRefusedException("the URL must be absolute, like https://host/path");
    }
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http")) {
      throw new TargetRefusedException("the URL must use https");
    }
    // A registry-style authority (no parsable host) can still hide credentials before an '@'.
    String authority = uri.getRawAuthority();
    if (uri.getRawUserInfo() != null || (authority != null && authority.indexOf('@') >= 0)) {
      throw new TargetRefusedException("the URL must not carry credentials");
    }
    if (uri.getRawFragment() != null) {
      throw new TargetRefusedException("the URL must not carry a fragment");
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw new TargetRefusedException("the URL must name a valid host");
    }
    int port = uri.getPort();
    if (port != -1 && (port < 1 || port > 65535)) {
      throw new TargetRefusedException("the port must be from 1 to 65535");
    }
    String host = uri.getHost().toLowerCase(Locale.ROOT);
    // The address first: "'127.0.0.2' is a loopback address" says more than "use https".
    InetAddress address = check(host);
    if (scheme.equals("http")) {
      requirePlainHttpAllowed(host, address);
    }
    String normalized =
        scheme
            + "://"
            + host
            + (port == -1 ? "" : ":" + port)
            + Objects.toString(uri.getRawPath(), "")
            + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    try {
      return new URI(normalized);
    } catch (URISyntaxException e) {
      throw new TargetRefusedException("the URL is not valid");
    }
  }

  /**
   * At every attempt: resolves {@code host} (brackets optional around IPv6) and returns the one
   * address to connect to, the first one resolved, provided every resolved address is acceptable.
   */
  public InetAddress addressFor(String host) throws TargetRefusedException {
    return check(Objects.requireNonNull(host, "host").toLowerCase(Locale.ROOT));
  }

  /**
   * At every attempt, for a URL: as {@link #addressFor(String)}, and plain http only to a listed
   * name or to an address inside a listed block, whatever the name resolves to today.
   */
  public InetAddress addressFor(URI url) throws TargetRefusedException {
    String host = Objects.requireNonNull(url.getHost(), "host").toLowerCase(Locale.ROOT);
    InetAddress address = check(host);
    if ("http".equalsIgnoreCase(url.getScheme())) {
      requirePlainHttpAllowed(host, address);
    }
    return address;
  }

  /**
   * Plain http goes only where the allow-list sends it: a listed name, or an address (the one
   * connected to, which every attempt checks again) inside a listed block.
   */
  private void requirePlainHttpAllowed(String host, InetAddress address)
      throws TargetRefusedException {
    if (!allowed.allowsPlainHttp(host) && !allowed.allowsAddress(address)) {
      throw new TargetRefusedException("the URL must use https");
    }
  }

  private InetAddress check(String lowerHost) throws TargetRefusedException {
    String host = AllowedTargets.stripBrackets(lowerHost);
    if (host.isEmpty()) {
      throw new TargetRefusedException("the URL must name a valid host");
    }
    Optional<InetAddress> literal = IpLiterals.parse(host);
    if (literal.isPresent()) {
      InetAddress address = literal.get();
      if (!allowed.allowsAddress(address)) {
        Optional<String> why = AddressRanges.whyNotPublic(address);
        if (why.isPresent()) {
          throw new TargetRefusedException("'" + host + "' is " + why.get());
        }
      }
      return address;
    }
    if (IpLiterals.looksLikeIp(host)) {
      throw new TargetRefusedException("'" + host + "' is not a valid IP address");
    }
    // A trailing dot is how a URL names a fully-qualified host; an allowed name never has one.
    String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
    if (!AllowedTargets.isHostName(name)) {
      throw new TargetRefusedException("'" + host + "' is not a valid host name");
    }
    List<InetAddress> addresses = resolve(host);
    if (allowed.allowsName(host)) {
      return addresses.get(0);
    }
    // Every address, not just the first: a client may connect to any of them, and a rebinding
    // name mixes one internal address among public ones.
    for (InetAddress address : addresses) {
      if (allowed.allowsAddress(address)) {
        continue;
      }
      Optional<String> why = AddressRanges.whyNotPublic(address);
      if (why.isPresent()) {
        throw new TargetRefusedException(
            "'" + host + "' resolves to " + IpLiterals.format(address) + ", " + why.get());
      }
    }
    return addresses.get(0);
  }

  private List<InetAddress> resolve(String host) throws TargetRefusedException {
    List<InetAddress> resolved;
    try {
      resolved = resolver.resolve(host);
    } catch (UnknownHostException e) {
      throw new TargetRefusedException("'" + host + "' does not resolve");
    }
    if (resolved == null || resolved.isEmpty() || resolved.stream().anyMatch(Objects::isNull)) {
      throw new TargetRefusedException("'" + host + "' does not resolve");
    }
    return resolved.stream().map(IpLiterals::canonical).toList();
  }
}
