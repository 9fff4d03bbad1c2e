package io.bulwark.webhooks;

import java.net.InetAddress;
import java.net.URI;

/** Where webhooks may go (SSRF guard, ADR 0023). SKELETON: the full rules are being written. */
public final class TargetPolicy {
  private final AllowedTargets allowed;
  private final HostResolver resolver;

  public TargetPolicy(AllowedTargets allowed, HostResolver resolver) {
    this.allowed = allowed;
    this.resolver = resolver;
  }

  /** At registration: the URL, normalized, or why it is refused. Resolves the host once. */
  public URI checkUrl(String url) throws TargetRefusedException {
    throw new TargetRefusedException("not implemented yet");
  }

  /** At every attempt: resolves {@code host} and returns the one address to connect to. */
  public InetAddress addressFor(String host) throws TargetRefusedException {
    throw new TargetRefusedException("not implemented yet");
  }
}
