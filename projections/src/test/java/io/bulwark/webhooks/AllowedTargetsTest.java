package io.bulwark.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AllowedTargetsTest {
  private static final AllowedTargets MIXED =
      AllowedTargets.parse(" 127.0.0.1/32 , Hooks.Internal,,::1, 10.0.0.0/8 ,fd00::/8, ");

  @ParameterizedTest
  @ValueSource(strings = {"", "   ", ",", " , ,, "})
  void blankListsAreNone(String text) {
    assertSame(AllowedTargets.none(), AllowedTargets.parse(text));
    assertTrue(AllowedTargets.parse(text).isEmpty());
  }

  @Test
  void noneIsEmptyAndSaysSo() {
    assertTrue(AllowedTargets.none().isEmpty());
    assertSame(AllowedTargets.none(), AllowedTargets.parse(null));
    assertEquals("AllowedTargets[none]", AllowedTargets.none().toString());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "127.0.0.1 | AllowedTargets[127.0.0.1/32]",
        "127.0.0.1/32 | AllowedTargets[127.0.0.1/32]",
        "127.0.0.1/8 | AllowedTargets[127.0.0.0/8]",
        "127.0.0.1, 127.0.0.1/32 | AllowedTargets[127.0.0.1/32]",
        "::1 | AllowedTargets[::1/128]",
        "[::1] | AllowedTargets[::1/128]",
        "[fd00::]/8 | AllowedTargets[fd00::/8]",
        "0:0:0:0:0:0:0:1/128 | AllowedTargets[::1/128]",
        "0.0.0.0/0 | AllowedTargets[0.0.0.0/0]",
        "Hooks.Internal | AllowedTargets[hooks.internal]",
        "localhost, 10.0.0.0/8 | AllowedTargets[10.0.0.0/8, localhost]",
        "a-b.c-d.example | AllowedTargets[a-b.c-d.example]",
        "123.example | AllowedTargets[123.example]"
      })
  void goodListsParseToTheirNormalForm(String text, String shown) {
    var parsed = AllowedTargets.parse(text);

    assertFalse(parsed.isEmpty());
    assertEquals(shown, parsed.toString());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "hooks.internal",
        "HOOKS.INTERNAL",
        "127.0.0.1",
        "[::1]",
        "::1",
        "10.200.3.4",
        "10.255.255.255",
        "fd12::1",
        "[fdff:ffff::ffff]"
      })
  void plainHttpIsAllowedForListedTargets(String host) {
    assertTrue(MIXED.allowsPlainHttp(host), host);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "evil.hooks.internal",
        "hooks.internal.evil",
        "internal",
        "127.0.0.2",
        "11.0.0.1",
        "9.255.255.255",
        "::2",
        "fc00::1",
        "fe00::1",
        "hooks.example"
      })
  void plainHttpIsRefusedForEverythingElse(String host) {
    assertFalse(MIXED.allowsPlainHttp(host), host);
    assertFalse(AllowedTargets.none().allowsPlainHttp(host), host);
  }

  @Test
  void aNameInsideAnAllowedBlockIsNotAllowedPlainHttpByItsAddress() {
    assertFalse(AllowedTargets.parse("127.0.0.0/8").allowsPlainHttp("localhost"));
  }

  @Test
  void blocksMatchAddressesWhateverTheirIpv6Spelling() throws Exception {
    var loopback = AllowedTargets.parse("127.0.0.1");

    assertTrue(loopback.allowsAddress(FakeDns.v4Mapped(127, 0, 0, 1)));
    assertTrue(loopback.allowsPlainHttp("[::ffff:127.0.0.1]"));
    assertFalse(loopback.allowsAddress(InetAddress.getByAddress(new byte[16])));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "10.0.0.0/33",
        "::1/129",
        "10.0.0.0/",
        "10.0.0.0/-1",
        "10.0.0.0/8/8",
        "10.0.0.0/x",
        "10.0.0.0/0008",
        "10.0.0/8",
        "/8",
        "hooks.example/24",
        "::ffff:10.0.0.0/104",
        "not a host!",
        "-bad.example",
        "bad-.example",
        "a..b",
        ".example",
        "hooks.example.",
        "under_score.example",
        "*.example.com",
        "999.1.1.1",
        "010.0.0.1",
        "127.1",
        "1.2.3.4.5",
        "0x7f000001",
        "fe80::1%eth0",
        "zz::1",
        "http://hooks.example",
        "hooks.example:8080",
        "bücher.example"
      })
  void aBadEntryIsNamedInTheError(String entry) {
    var error =
        assertThrows(
            IllegalArgumentException.class,
            () -> AllowedTargets.parse("127.0.0.1, " + entry + " , hooks.example"));

    assertTrue(error.getMessage().contains("'" + entry + "'"), error::getMessage);
    assertTrue(error.getMessage().startsWith("BULWARK_WEBHOOK_ALLOWED_TARGETS: "));
  }

  @Test
  void hostNamesAreLimitedToDnsLengths() {
    String label = "a".repeat(63);
    String longest = String.join(".", label, label, label, "a".repeat(61));

    assertEquals(253, longest.length());
    assertEquals("AllowedTargets[" + longest + "]", AllowedTargets.parse(longest).toString());
    assertThrows(IllegalArgumentException.class, () -> AllowedTargets.parse(longest + "a"));
    assertThrows(IllegalArgumentException.class, () -> AllowedTargets.parse("a".repeat(64)));
  }

  @Test
  void theErrorExplainsWhatIsWrong() {
    assertEquals(
        "BULWARK_WEBHOOK_ALLOWED_TARGETS: '10.0.0.0/33' is not a host name, an IP address or a"
            + " CIDR block: the prefix must be a number from 0 to 32",
        assertThrows(IllegalArgumentException.class, () -> AllowedTargets.parse("10.0.0.0/33"))
            .getMessage());
  }
}
