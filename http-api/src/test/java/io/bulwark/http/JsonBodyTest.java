package io.bulwark.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class JsonBodyTest {
  private static String code(Runnable r) {
    return assertThrows(ApiException.class, r::run).code();
  }

  @Test
  void amountsAreIntegersFromOneToTwoToTheFiftyThreeMinusOne() {
    assertEquals(1, JsonBody.parse("{\"a\":1}").requiredAmount("a"));
    assertEquals(9007199254740991L, JsonBody.parse("{\"a\":9007199254740991}").requiredAmount("a"));
    for (String bad : new String[] {"0", "-1", "9007199254740992", "1.0", "\"5\"", "true", "[]"}) {
      assertEquals(
          "invalid_amount",
          code(() -> JsonBody.parse("{\"a\":" + bad + "}").requiredAmount("a")),
          bad);
    }
    assertEquals("invalid_request", code(() -> JsonBody.parse("{}").requiredAmount("a")));
  }

  @Test
  void currenciesAreKnownIsoCodes() {
    assertEquals("EUR", JsonBody.parse("{\"c\":\"EUR\"}").requiredCurrency("c"));
    for (String bad : new String[] {"\"eur\"", "\"EURO\"", "\"ABC\"", "\"\""}) {
      assertEquals(
          "invalid_currency",
          code(() -> JsonBody.parse("{\"c\":" + bad + "}").requiredCurrency("c")));
    }
  }

  @Test
  void anOverdraftLimitDefaultsToZeroAndNullMeansUnlimited() {
    assertEquals(0L, JsonBody.parse("{}").overdraftLimit("o"));
    assertNull(JsonBody.parse("{\"o\":null}").overdraftLimit("o"));
    assertEquals(500L, JsonBody.parse("{\"o\":500}").overdraftLimit("o"));
    assertEquals("invalid_request", code(() -> JsonBody.parse("{\"o\":-1}").overdraftLimit("o")));
    assertEquals("invalid_request", code(() -> JsonBody.parse("{\"o\":2.5}").overdraftLimit("o")));
  }

  @Test
  void unknownMembersAreIgnoredAndMissingOnesNamed() {
    var body = JsonBody.parse("{\"id\":\"ok\",\"extra\":{\"x\":1}}");
    assertEquals("ok", body.requiredId("id"));
    var missing = assertThrows(ApiException.class, () -> body.requiredString("name", 10));
    assertEquals("name", missing.member());
  }

  @Test
  void theFingerprintDependsOnMeaningNotOnBytes() {
    var a =
        TransferRequest.from(
            JsonBody.parse("{\"from\":\"a\",\"to\":\"b\",\"amount\":5,\"currency\":\"EUR\"}"));
    var b =
        TransferRequest.from(
            JsonBody.parse(
                "{ \"currency\":\"EUR\", \"amount\":5, \"to\":\"b\", \"from\":\"a\", \"x\":1 }"));
    var c =
        TransferRequest.from(
            JsonBody.parse(
                "{\"from\":\"a\",\"to\":\"b\",\"amount\":5,\"currency\":\"EUR\",\"reference\":\"-\"}"));
    assertEquals(a.fingerprint(), b.fingerprint());
    org.junit.jupiter.api.Assertions.assertNotEquals(a.fingerprint(), c.fingerprint());
  }
}
