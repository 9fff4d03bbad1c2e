package io.bulwark.webhooks;

import static io.bulwark.webhooks.FakeDns.NO_LOOKUPS;
import static io.bulwark.webhooks.FakeDns.ip;
import static io.bulwark.webhooks.FakeDns.resolver;
import static io.bulwark.webhooks.FakeDns.v4Mapped;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

// No test here asks a real DNS server or opens a connection: names resolve through a map, and the
// public addresses below are only values in memory.
class TargetPolicyTest {
  private static final Map<String, List<InetAddress>> DNS =
      Map.of(
          "hooks.example", List.of(ip("93.184.215.14")),
          "v6.example", List.of(ip("2606:4700::1111")),
          "multi.example", List.of(ip("1.1.1.1"), ip("2606:4700::1111")),
          "loop.example", List.of(ip("127.0.0.1")),
          "metadata.example", List.of(ip("169.254.169.254")),
          "rebind.example", List.of(ip("93.184.215.14"), ip("10.0.0.5")),
          "internal.test", List.of(ip("10.1.2.3")),
          "sub.internal.test", List.of(ip("10.1.2.4")),
          "empty.example", List.of());

  private static final TargetPolicy STRICT = new TargetPolicy(AllowedTargets.none(), resolver(DNS));

  @ParameterizedTest
  @CsvSource({
    "0.0.0.0, unspecified (this-network)",
    "0.1.2.3, unspecified (this-network)",
    "10.0.0.5, private",
    "100.64.0.1, carrier-grade NAT",
    "100.127.255.255, carrier-grade NAT",
    "100.100.100.200, carrier-grade NAT (cloud metadata)",
    "127.0.0.1, loopback",
    "127.255.255.254, loopback",
    "169.254.169.254, link-local (cloud metadata)",
    "172.16.0.1, private",
    "172.31.255.255, private",
    "192.0.0.8, reserved (IETF protocol)",
    "192.0.2.1, reserved (documentation)",
    "192.88.99.1, reserved (6to4 relay)",
    "192.168.1.1, private",
    "198.18.0.1, reserved (benchmarking)",
    "198.19.255.255, reserved (benchmarking)",
    "198.51.100.7, reserved (documentation)",
    "203.0.113.9, reserved (documentation)",
    "224.0.0.1, multicast",
    "239.255.255.250, multicast",
    "240.0.0.1, reserved",
    "255.255.255.255, broadcast",
    "[::], unspecified",
    "[::1], loopback",
    "[::ffff:127.0.0.1], loopback",
    "[::ffff:10.0.0.1], private",
    "[::ffff:169.254.169.254], link-local (cloud metadata)",
    "[::127.0.0.1], loopback",
    "[64:ff9b::a00:1], private",
    "[64:ff9b::7f00:1], loopback",
    "[64:ff9b:1::1], reserved (local NAT64)",
    "[100::1], reserved (discard-only)",
    "[2001::1], reserved (IETF protocol)",
    "[2001:1ff::1], reserved (IETF protocol)",
    "[2001:db8::1], reserved (documentation)",
    "[2002:0a00:0001::1], private",
    "[2002:a9fe:a9fe::1], link-local (cloud metadata)",
    "[fd00:ec2::254], unique-local (cloud metadata)",
    "[fc00::1], unique-local (private)",
    "[fdff:ffff::1], unique-local (private)",
    "[fe80::1], link-local",
    "[febf::1], link-local",
    "[fec0::1], site-local (private)",
    "[ff02::1], multicast"
  })
  void nonPublicLiteralIsRefusedWithItsKindNamed(String host, String kind) {
    var policy = new TargetPolicy(AllowedTargets.none(), NO_LOOKUPS);

    var atRegistration =
        assertThrows(TargetRefusedException.class, () -> policy.checkUrl("https://" + host + "/h"));
    var atAttempt = assertThrows(TargetRefusedException.class, () -> policy.addressFor(host));

    assertTrue(
        atRegistration.getMessage().contains(" " + kind + " address"), atRegistration::getMessage);
    assertEquals(atRegistration.getMessage(), atAttempt.getMessage());
  }

  @Test
  void refusalsSayWhatWasSentAndWhatItResolvedTo() {
    assertEquals("'10.0.0.5' is a private address", refusal(STRICT, "https://10.0.0.5/hook"));
    assertEquals(
        "'loop.example' resolves to 127.0.0.1, a loopback address",
        refusal(STRICT, "https://loop.example/hook"));
    assertEquals(
        "'2002:0a00:0001::1' is a private address (10.0.0.1 inside a 6to4 address)",
        refusal(STRICT, "https://[2002:0a00:0001::1]/hook"));
    assertEquals(
        "'metadata.example' resolves to 169.254.169.254, a link-local (cloud metadata) address",
        refusal(STRICT, "https://metadata.example/latest/meta-data/"));
  }

  @ParameterizedTest
  @CsvSource({
    "93.184.215.14, 93.184.215.14",
    "[2606:4700::1111], 2606:4700::1111",
    "8.8.8.8, 8.8.8.8",
    "100.63.255.255, 100.63.255.255",
    "100.128.0.0, 100.128.0.0",
    "169.253.255.255, 169.253.255.255",
    "172.15.255.255, 172.15.255.255",
    "172.32.0.0, 172.32.0.0",
    "192.167.255.255, 192.167.255.255",
    "198.17.255.255, 198.17.255.255",
    "198.20.0.0, 198.20.0.0",
    "223.255.255.255, 223.255.255.255",
    "[::ffff:93.184.215.14], 93.184.215.14",
    "[2002:5db8:d70e::1], 2002:5db8:d70e::1",
    "[64:ff9b::5db8:d70e], 64:ff9b::5db8:d70e",
    "[2001:200::1], 2001:200::1",
    "[fbff::1], fbff::1",
    "hooks.example, 93.184.215.14",
    "v6.example, 2606:4700::1111",
    "multi.example, 1.1.1.1"
  })
  void publicTargetIsAcceptedAndTheFirstAddressIsTheOneToConnectTo(String host, String address)
      throws Exception {
    assertEquals("https://" + host + "/h", STRICT.checkUrl("https://" + host + "/h").toString());
    assertEquals(ip(address), STRICT.addressFor(host));
  }

  @ParameterizedTest
  @ValueSource(strings = {"rebind.example", "REBIND.example"})
  void oneInternalAddressAmongPublicOnesRefusesTheName(String host) {
    var refused = assertThrows(TargetRefusedException.class, () -> STRICT.addressFor(host));

    assertEquals("'rebind.example' resolves to 10.0.0.5, a private address", refused.getMessage());
  }

  @Test
  void anIpv4MappedAnswerIsJudgedByItsIpv4Address() throws Exception {
    var policy =
        new TargetPolicy(
            AllowedTargets.none(),
            resolver(Map.of("mapped.example", List.of(v4Mapped(10, 0, 0, 1)))));

    assertEquals(
        "'mapped.example' resolves to 10.0.0.1, a private address",
        refusal(policy, "https://mapped.example/"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"nowhere.invalid", "empty.example"})
  void aNameThatDoesNotResolveIsRefused(String host) {
    assertEquals("'" + host + "' does not resolve", refusal(STRICT, "https://" + host + "/h"));
  }

  @Test
  void plainHttpIsRefusedUnlessTheTargetIsAllowed() {
    assertEquals("the URL must use https", refusal(STRICT, "http://hooks.example/h"));
    assertEquals("the URL must use https", refusal(STRICT, "http://93.184.215.14/h"));
  }

  @Test
  void anAllowedBlockLiftsTheCheckAndAllowsHttpForExactlyItsAddresses() throws Exception {
    var policy = new TargetPolicy(AllowedTargets.parse("127.0.0.1/32"), NO_LOOKUPS);

    assertEquals("http://127.0.0.1:8080/x", policy.checkUrl("http://127.0.0.1:8080/x").toString());
    assertEquals(ip("127.0.0.1"), policy.addressFor("127.0.0.1"));
    assertEquals("'127.0.0.2' is a loopback address", refusal(policy, "http://127.0.0.2:8080/x"));
    assertEquals("'127.0.0.2' is a loopback address", refusal(policy, "https://127.0.0.2:8080/x"));
  }

  @Test
  void aNameResolvingIntoAnAllowedBlockMayUseHttpOnlyWhileItResolvesThere() throws Exception {
    var dns = new java.util.HashMap<>(DNS);
    var policy = new TargetPolicy(AllowedTargets.parse("10.0.0.0/8"), resolver(dns));

    assertEquals("https://internal.test/h", policy.checkUrl("https://internal.test/h").toString());
    assertEquals("http://internal.test/h", policy.checkUrl("http://internal.test/h").toString());
    assertEquals(ip("10.1.2.3"), policy.addressFor(java.net.URI.create("http://internal.test/h")));

    // the name moves to a public address: https may go there, plain http may not
    dns.put("internal.test", List.of(ip("93.184.215.14")));
    assertEquals(
        ip("93.184.215.14"), policy.addressFor(java.net.URI.create("https://internal.test/h")));
    var refused =
        assertThrows(
            TargetRefusedException.class,
            () -> policy.addressFor(java.net.URI.create("http://internal.test/h")));
    assertEquals("the URL must use https", refused.getMessage());
  }

  @Test
  void anAllowedNameIsAllowedWhateverItResolvesToButItsSubdomainsAreNot() throws Exception {
    var policy = new TargetPolicy(AllowedTargets.parse("internal.test"), resolver(DNS));

    assertEquals(
        "http://internal.test:9000/h", policy.checkUrl("http://INTERNAL.Test:9000/h").toString());
    assertEquals(ip("10.1.2.3"), policy.addressFor("internal.test"));
    assertEquals(
        "'sub.internal.test' resolves to 10.1.2.4, a private address",
        refusal(policy, "https://sub.internal.test/h"));
    assertThrows(TargetRefusedException.class, () -> policy.checkUrl("http://sub.internal.test/"));
  }

  @Test
  void anAnswerThatChangesAfterRegistrationIsRefusedAtTheAttempt() throws Exception {
    Map<String, List<InetAddress>> answers = new HashMap<>();
    answers.put("flip.example", List.of(ip("93.184.215.14")));
    var policy = new TargetPolicy(AllowedTargets.none(), resolver(answers));

    assertEquals("https://flip.example/h", policy.checkUrl("https://flip.example/h").toString());
    assertEquals(ip("93.184.215.14"), policy.addressFor("flip.example"));
    answers.put("flip.example", List.of(ip("127.0.0.1")));

    var refused =
        assertThrows(TargetRefusedException.class, () -> policy.addressFor("flip.example"));
    assertEquals("'flip.example' resolves to 127.0.0.1, a loopback address", refused.getMessage());
  }

  @Test
  void ipLiteralHostsNeverReachTheResolver() throws Exception {
    List<String> asked = new ArrayList<>();
    HostResolver recording =
        host -> {
          asked.add(host);
          if (host.equals("127.0.0.2") || host.equals("10.0.0.5")) {
            fail("an IP literal was sent to the resolver: " + host);
          }
          return resolver(DNS).resolve(host);
        };
    var policy = new TargetPolicy(AllowedTargets.parse("127.0.0.0/8"), recording);

    assertEquals(ip("127.0.0.2"), policy.addressFor("127.0.0.2"));
    policy.checkUrl("http://127.0.0.2:8080/x");
    assertThrows(TargetRefusedException.class, () -> policy.checkUrl("https://10.0.0.5/"));
    assertThrows(TargetRefusedException.class, () -> policy.addressFor("10.0.0.5"));
    policy.checkUrl("https://[2606:4700::1111]/");

    assertEquals(List.of(), asked);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "https://user:pw@hooks.example/x | the URL must not carry credentials",
        "https://user@hooks.example/x | the URL must not carry credentials",
        "https://user@under_score.example/x | the URL must not carry credentials",
        "https://hooks.example/x#frag | the URL must not carry a fragment",
        "https://hooks.example/x# | the URL must not carry a fragment",
        "ftp://hooks.example/x | the URL must use https",
        "file:///etc/passwd | the URL must use https",
        "gopher://hooks.example:70/ | the URL must use https",
        "javascript:alert(1) | the URL must be absolute, like https://host/path",
        "/relative/path | the URL must be absolute, like https://host/path",
        "hooks.example/x | the URL must be absolute, like https://host/path",
        "https:///x | the URL must name a valid host",
        "https://under_score.example/ | the URL must name a valid host",
        "https://127.1/ | the URL must name a valid host",
        "https://hooks.example:0/x | the port must be from 1 to 65535",
        "https://hooks.example:65536/x | the port must be from 1 to 65535",
        "https://exa mple.com/ | the URL is not valid",
        "https://010.0.0.1/ | '010.0.0.1' is not a valid IP address",
        "https://[fe80::1%25eth0]/ | 'fe80::1%25eth0' is not a valid IP address"
      })
  void malformedUrlIsRefused(String url, String reason) {
    assertEquals(reason, refusal(STRICT, url));
  }

  @Test
  void emptyAndOverLongUrlsAreRefused() throws Exception {
    String prefix = "https://hooks.example/";
    String longest = prefix + "a".repeat(TargetPolicy.MAX_URL_LENGTH - prefix.length());

    assertEquals(longest, STRICT.checkUrl(longest).toString());
    assertEquals("the URL must be at most 2048 characters", refusal(STRICT, longest + "a"));
    assertEquals("a URL is required", refusal(STRICT, ""));
    assertEquals("a URL is required", refusal(STRICT, null));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "HTTPS://HOOKS.Example/Path?Q=1 | https://hooks.example/Path?Q=1",
        "hTTps://Hooks.Example | https://hooks.example",
        "https://hooks.example:443/a%20b?x=%2F | https://hooks.example:443/a%20b?x=%2F",
        "https://[2606:4700::1111]:8443/x | https://[2606:4700::1111]:8443/x",
        "https://hooks.example:/x | https://hooks.example/x"
      })
  void acceptedUrlIsNormalized(String url, String normalized) throws Exception {
    assertEquals(normalized, STRICT.checkUrl(url).toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"1.2.3.4.5", "999.1.1.1", "127.1", "0x7f000001", "abc:def", "[]"})
  void aHostThatLooksLikeABadIpIsRefusedNotResolved(String host) {
    var policy = new TargetPolicy(AllowedTargets.none(), NO_LOOKUPS);

    assertThrows(TargetRefusedException.class, () -> policy.addressFor(host));
  }

  private static String refusal(TargetPolicy policy, String url) {
    return assertThrows(TargetRefusedException.class, () -> policy.checkUrl(url)).getMessage();
  }
}
