package io.bulwark.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;

/**
 * How an event is linked into its chain: the HMAC-SHA256, under the audit key, of a canonical JSON
 * array of every stored field and the hash of the event before it. Changing any field of any event,
 * or removing one, breaks the chain from there; without the key nobody can re-link it.
 */
final class AuditChain {
  static final String GENESIS = "0".repeat(64);

  private static final ObjectMapper JSON =
      new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  private AuditChain() {}

  /** The details as stored: a JSON object with its keys sorted, or null when there are none. */
  static String details(Map<String, Object> details) {
    if (details.isEmpty()) {
      return null;
    }
    try {
      return JSON.writeValueAsString(new TreeMap<>(details));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("audit details must be plain JSON values", e);
    }
  }

  static String hash(Mac mac, StoredAuditEvent e) {
    Object[] fields = {
      e.tenantId(),
      e.seq(),
      e.occurredAt().toString(),
      e.actor(),
      e.action(),
      e.target(),
      e.outcome(),
      e.requestId(),
      e.traceId(),
      e.clientIp(),
      e.userAgent(),
      e.details(),
      e.keyId(),
      e.prevHash()
    };
    try {
      byte[] canonical = JSON.writeValueAsBytes(Arrays.asList(fields));
      return HexFormat.of().formatHex(mac.doFinal(canonical));
    } catch (JsonProcessingException e1) {
      throw new IllegalStateException(e1);
    }
  }
}
