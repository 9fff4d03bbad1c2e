package io.bulwark.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.apache.pekko.http.javadsl.model.Uri;
import org.junit.jupiter.api.Test;

/** The edge's character policy (ADR 0024), on its own. */
class TextPolicyTest {
  private static ApiException refusal(String json) {
    return assertThrows(ApiException.class, () -> JsonBody.parse(json), json);
  }

  @Test
  void controlsOfEveryKindAreRefused() {
    int[] samples = {0x00, 0x01, 0x07, 0x09, 0x0A, 0x0D, 0x1B, 0x1F, 0x7F, 0x80, 0x85, 0x9B, 0x9F};
    for (int c : samples) {
      String text = "a" + (char) c + "b";
      assertFalse(TextPolicy.allows(text), Integer.toHexString(c));
      assertTrue(TextPolicy.violation(text).contains("control"), Integer.toHexString(c));
    }
  }

  @Test
  void loneSurrogatesAreRefusedAndPairsPass() {
    assertEquals("an unpaired surrogate", TextPolicy.violation("x\uD800"));
    assertEquals("an unpaired surrogate", TextPolicy.violation("\uDC00x"));
    assertEquals("an unpaired surrogate", TextPolicy.violation("\uDC00\uD800"));
    assertNull(TextPolicy.violation("rent \uD83D\uDE00")); // U+1F600, an emoji
    assertNull(TextPolicy.violation("\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67"));
  }

  @Test
  void lettersOfAnyScriptPass() {
    for (String text :
        new String[] {
          "Zürich", "Ærø Købmand", "東京都 振込", "서울", "Москва", "مدينة", "שלום", "café ∑ € ½", "a b"
        }) {
      assertNull(TextPolicy.violation(text), text);
    }
  }

  @Test
  void noncharactersAndBidiControlsAreRefused() {
    for (String text :
        new String[] {"\uFFFE", "\uFFFF", "\uFDD0", "\uD83F\uDFFE", "\u202A", "\u202E", "\u2066"}) {
      assertFalse(TextPolicy.allows("ok" + text), text);
    }
    assertTrue(TextPolicy.allows("\u200F\u200E\uFEFF")); // marks and the BOM are not controls
  }

  @Test
  void aJsonStringAtAnyDepthIsNamedByItsPath() {
    assertEquals("reference", refusal("{\"reference\":\"a\\u0000b\"}").member());
    assertEquals("extra.note", refusal("{\"extra\":{\"note\":\"\\ud800\"}}").member());
    assertEquals("roles[1]", refusal("{\"roles\":[\"admin\",\"\\u0085\"]}").member());
    assertEquals("a[0][0].b", refusal("{\"a\":[[{\"b\":\"\\u001b\"}]]}").member());
    var escaped = refusal("{\"re\\u0000f\":1}");
    assertEquals("re\\u0000f", escaped.member(), "a bad name is shown escaped, never as is");
    assertEquals("invalid_request", escaped.code());
    assertTrue(refusal("{\"a\":1,\"a\":2}").getMessage().contains("twice"));
  }

  @Test
  void lengthsAndShapesAreBounded() {
    String atMost = "{\"pad\":\"" + "x".repeat(TextPolicy.MAX_STRING) + "\"}";
    JsonBody.parse(atMost);
    assertEquals("pad", refusal(atMost.replace("\"x", "\"xx")).member());
    assertEquals(
        "n".repeat(64) + "...",
        refusal("{\"" + "n".repeat(TextPolicy.MAX_NAME + 1) + "\":1}").member());

    String deep =
        "{\"a\":".repeat(TextPolicy.MAX_DEPTH - 1) + "1" + "}".repeat(TextPolicy.MAX_DEPTH - 1);
    JsonBody.parse(deep);
    String tooDeep =
        "{\"a\":".repeat(TextPolicy.MAX_DEPTH) + "1" + "}".repeat(TextPolicy.MAX_DEPTH);
    assertTrue(refusal(tooDeep).getMessage().contains("deeper"));

    var members = new StringBuilder("{");
    for (int i = 0; i <= TextPolicy.MAX_MEMBERS; i++) {
      members.append(i == 0 ? "" : ",").append("\"m").append(i).append("\":1");
    }
    assertTrue(refusal(members + "}").getMessage().contains("members"));
    String items = "{\"xs\":[" + "1,".repeat(TextPolicy.MAX_ITEMS) + "1]}";
    assertEquals("xs", refusal(items).member());
  }

  @Test
  void utf8IsDecodedStrictly() {
    assertEquals("Zürich", TextPolicy.utf8("Zürich".getBytes(StandardCharsets.UTF_8)));
    byte[][] bad = {
      {'a', (byte) 0xFF},
      {(byte) 0xC3}, // truncated
      {(byte) 0xC0, (byte) 0xAF}, // overlong '/'
      {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // an encoded surrogate (CESU-8)
    };
    for (byte[] bytes : bad) {
      assertEquals(
          "invalid_request", assertThrows(ApiException.class, () -> TextPolicy.utf8(bytes)).code());
    }
  }

  @Test
  void uriSegmentsAndQueryValuesAreNamed() {
    String template = "/v1/tenants/{tenantId}/accounts/{accountId}";
    TextPolicy.checkUri(Uri.create("/v1/tenants/acme/accounts/a?limit=5&cursor=abc"), template);
    var id =
        assertThrows(
            ApiException.class,
            () -> TextPolicy.checkUri(Uri.create("/v1/tenants/acme/accounts/a%00b"), template));
    assertEquals("accountId", id.member());
    assertEquals("invalid_id", id.code());
    var cursor =
        assertThrows(
            ApiException.class,
            () -> TextPolicy.checkUri(Uri.create("/v1/tenants/acme/accounts?cursor=%C2%85"), "x"));
    assertEquals("cursor", cursor.member());
    assertEquals("invalid_cursor", cursor.code());
    var notUtf8 =
        assertThrows(
            ApiException.class,
            () -> TextPolicy.checkUri(Uri.create("/v1/tenants?status=%FF"), "x"));
    assertEquals("status", notUtf8.member());
    var name =
        assertThrows(
            ApiException.class, () -> TextPolicy.checkUri(Uri.create("/v1/x?a%01=1"), "x"));
    assertEquals("query", name.member());
  }
}
