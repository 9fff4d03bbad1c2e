package io.bulwark.http.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Tenant API keys look like {@code bwk_<tenantId>.<keyId>.<secret>}: the tenant and key id let a
 * node find the key without a search, the 32-byte secret makes it unguessable. Only a SHA-256 hash
 * of the whole key is stored: a high-entropy secret needs no slow KDF (ADR 0006).
 */
public final class ApiKeys {
  public static final String PREFIX = "bwk_";
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] KEY_ID_ALPHABET =
      "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

  private ApiKeys() {}

  public record Parsed(String tenantId, String keyId) {}

  public record Issued(String keyId, String secret, String hash) {}

  public static Issued issue(String tenantId) {
    var keyId = new StringBuilder("k");
    for (int i = 0; i < 20; i++) {
      keyId.append(KEY_ID_ALPHABET[RANDOM.nextInt(KEY_ID_ALPHABET.length)]);
    }
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    String key =
        PREFIX
            + tenantId
            + "."
            + keyId
            + "."
            + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    return new Issued(keyId.toString(), key, hash(key));
  }

  /** Splits a presented key from the right, since tenant ids may contain dots. */
  public static Optional<Parsed> parse(String key) {
    if (key == null || !key.startsWith(PREFIX) || key.length() > 200) {
      return Optional.empty();
    }
    int secretDot = key.lastIndexOf('.');
    int keyDot = secretDot > 0 ? key.lastIndexOf('.', secretDot - 1) : -1;
    if (keyDot <= PREFIX.length() || secretDot == key.length() - 1) {
      return Optional.empty();
    }
    return Optional.of(
        new Parsed(key.substring(PREFIX.length(), keyDot), key.substring(keyDot + 1, secretDot)));
  }

  public static String hash(String key) {
    try {
      var digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Constant-time comparison of two hex hashes. */
  public static boolean hashesMatch(String a, String b) {
    return a != null
        && b != null
        && MessageDigest.isEqual(
            a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
  }
}
