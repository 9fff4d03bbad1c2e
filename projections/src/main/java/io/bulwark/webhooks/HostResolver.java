package io.bulwark.webhooks;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/** Names to addresses; tests give their own, so that no test ever asks a real DNS server. */
@FunctionalInterface
public interface HostResolver {
  List<InetAddress> resolve(String host) throws UnknownHostException;

  /** The JVM's resolver (an IP literal is parsed, never looked up). */
  static HostResolver system() {
    return host -> List.of(InetAddress.getAllByName(host));
  }
}
