package io.bulwark.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A validated transfer request body. */
record TransferRequest(String from, String to, long amount, String currency, String reference) {

  static TransferRequest from(JsonBody body) {
    return new TransferRequest(
        body.requiredId("from"),
        body.requiredId("to"),
        body.requiredAmount("amount"),
        body.requiredCurrency("currency"),
        body.optionalString("reference", 140));
  }

  /**
   * What makes two requests with one Idempotency-Key "the same": their meaning, not their bytes, so
   * member order or whitespace does not matter.
   */
  String fingerprint() {
    String canonical =
        String.join(
            "\n",
            from,
            to,
            Long.toString(amount),
            currency,
            reference == null ? "-" : "+" + reference);
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256")
                  .digest(canonical.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
