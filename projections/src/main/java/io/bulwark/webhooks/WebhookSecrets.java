package io.bulwark.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Endpoint secrets and signatures per the Standard Webhooks specification: a secret is {@code
 * whsec_} and the base64 of 24 random bytes; a signature is {@code v1,} and the base64 of
 * HMAC-SHA256 over {@code {webhook-id}.{webhook-timestamp}.{body}} under the secret's bytes. While
 * a rotation overlaps, every live secret signs and the header lists each signature,
 * space-separated.
 */
public final class WebhookSecrets {
  public static final String PREFIX = "whsec_";
  private static final int SECRET_BYTES = 24;
  private static final SecureRandom RANDOM = new SecureRandom();

  private WebhookSecrets() {}

  /** A new secret's raw bytes. */
  public static byte[] generate() {
    byte[] bytes = new byte[SECRET_BYTES];
    RANDOM.nextBytes(bytes);
    return bytes;
  }

  /** How a secret's bytes are shown to its owner, once. */
  public static String format(byte[] secret) {
    return PREFIX + Base64.getEncoder().encodeToString(secret);
  }

  public static String sign(byte[] secret, String webhookId, long timestampSeconds, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      byte[] signed =
          mac.doFinal(
              (webhookId + "." + timestampSeconds + "." + body).getBytes(StandardCharsets.UTF_8));
      return "v1," + Base64.getEncoder().encodeToString(signed);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is unavailable", e);
    }
  }

  /** The {@code webhook-signature} header: one signature per live secret, current first. */
  public static String header(
      List<byte[]> secrets, String webhookId, long timestampSeconds, String body) {
    return secrets.stream()
        .map(s -> sign(s, webhookId, timestampSeconds, body))
        .collect(Collectors.joining(" "));
  }
}
