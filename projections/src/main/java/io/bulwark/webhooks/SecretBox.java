package io.bulwark.webhooks;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals endpoint signing secrets for the database with AES-256-GCM under BULWARK_WEBHOOK_KEY (ADR
 * 0023). The key never enters the database, so a reader of webhook_endpoints (a backup, a replica,
 * a stolen dump) learns no secret; GCM's tag refuses a sealed value that was altered.
 */
public final class SecretBox {
  public static final int MIN_KEY_LENGTH = 32;
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKeySpec key;

  /** {@code key}: at least 32 characters; its SHA-256 is the AES key. */
  public SecretBox(String key) {
    if (key == null || key.length() < MIN_KEY_LENGTH) {
      throw new IllegalArgumentException(
          "a webhook key needs at least " + MIN_KEY_LENGTH + " characters");
    }
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      this.key = new SecretKeySpec(digest, "AES");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is unavailable", e);
    }
  }

  public byte[] seal(byte[] plain) {
    byte[] nonce = new byte[NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      byte[] sealed = cipher.doFinal(plain);
      return ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is unavailable", e);
    }
  }

  /** The plain bytes; fails when {@code sealed} was altered or sealed under another key. */
  public byte[] open(byte[] sealed) {
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, 0, NONCE_BYTES));
      return cipher.doFinal(sealed, NONCE_BYTES, sealed.length - NONCE_BYTES);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(
          "A webhook secret cannot be opened: BULWARK_WEBHOOK_KEY is not the key it was sealed"
              + " with, or the stored value was altered",
          e);
    }
  }

  @Override
  public String toString() {
    return "SecretBox[AES-256-GCM]";
  }
}
