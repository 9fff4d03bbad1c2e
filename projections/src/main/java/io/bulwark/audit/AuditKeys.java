package io.bulwark.audit;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The secret keys of the audit chain's HMAC. The current key signs new events; older keys only
 * verify the events they signed, so the key can rotate without breaking the chain. A key is known
 * by its fingerprint, stored beside each event; the key itself never leaves the node.
 */
public final class AuditKeys {
  public static final int MIN_LENGTH = 32;

  private final String currentId;
  private final Map<String, SecretKeySpec> byId = new LinkedHashMap<>();

  public AuditKeys(String current, List<String> previous) {
    this.currentId = add(current);
    previous.forEach(this::add);
  }

  public static AuditKeys of(String current) {
    return new AuditKeys(current, List.of());
  }

  private String add(String secret) {
    if (secret == null || secret.length() < MIN_LENGTH) {
      throw new IllegalArgumentException(
          "an audit key needs at least " + MIN_LENGTH + " characters");
    }
    byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
    String id = fingerprint(bytes);
    byId.put(id, new SecretKeySpec(bytes, "HmacSHA256"));
    return id;
  }

  /** The fingerprint of the key that signs new events. */
  public String currentId() {
    return currentId;
  }

  Mac current() {
    return mac(byId.get(currentId));
  }

  Optional<Mac> forId(String keyId) {
    return Optional.ofNullable(byId.get(keyId)).map(AuditKeys::mac);
  }

  private static Mac mac(SecretKeySpec key) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is unavailable", e);
    }
  }

  private static String fingerprint(byte[] secret) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(secret);
      return HexFormat.of().formatHex(digest).substring(0, 16);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is unavailable", e);
    }
  }

  @Override
  public String toString() {
    return "AuditKeys[current=" + currentId + ", known=" + byId.keySet() + "]";
  }
}
