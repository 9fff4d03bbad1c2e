package io.bulwark.http.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.util.List;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.RemoteAddress;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.junit.jupiter.api.Test;

class ClientAddressTest {

  private static HttpRequest from(String peer, String forwardedFor) throws Exception {
    HttpRequest request =
        HttpRequest.create("/v1/tenants")
            .addAttribute(
                AttributeKeys.remoteAddress, RemoteAddress.create(InetAddress.getByName(peer)));
    return forwardedFor == null
        ? request
        : request.addHeader(RawHeader.create("X-Forwarded-For", forwardedFor));
  }

  @Test
  void anUntrustedPeerIsTheClientWhateverItForwards() throws Exception {
    var addresses = new ClientAddress(List.of());
    assertEquals("127.0.0.5", addresses.resolve(from("127.0.0.5", "203.0.113.7")));
  }

  @Test
  void behindATrustedProxyTheNearestUntrustedHopIsTheClient() throws Exception {
    var addresses = new ClientAddress(List.of("127.0.0.0/8", "::1"));
    assertEquals(
        "198.51.100.2",
        addresses.resolve(from("127.0.0.5", "203.0.113.7, 198.51.100.2, 127.0.0.9")));
    assertEquals("127.0.0.5", addresses.resolve(from("127.0.0.5", null)));
    assertEquals("127.0.0.9", addresses.resolve(from("127.0.0.5", "not-an-ip, 127.0.0.9")));
  }

  @Test
  void trustedProxiesMustBeAddressesOrBlocks() {
    assertThrows(IllegalArgumentException.class, () -> new ClientAddress(List.of("proxy.local")));
    assertThrows(IllegalArgumentException.class, () -> new ClientAddress(List.of("10.0.0.0/33")));
    assertThrows(IllegalArgumentException.class, () -> new ClientAddress(List.of("300.1.1.1")));
  }
}
