package io.bulwark.audit;

import java.time.Instant;

/**
 * An audit event as its chain holds it: the fields of {@link AuditEvent} in their stored form, its
 * position, the key that signed it and the two hashes that link it.
 */
public record StoredAuditEvent(
    String tenantId,
    long seq,
    Instant occurredAt,
    String actor,
    String action,
    String target,
    String outcome,
    String requestId,
    String traceId,
    String clientIp,
    String userAgent,
    String details,
    String keyId,
    String prevHash,
    String hash) {

  static StoredAuditEvent link(
      AuditEvent e, long seq, String keyId, String prevHash, javax.crypto.Mac mac) {
    var unsigned =
        new StoredAuditEvent(
            e.tenantId(),
            seq,
            e.occurredAt(),
            e.actor(),
            e.action().wireName(),
            e.target(),
            e.outcome().wireName(),
            e.requestId(),
            e.traceId(),
            e.clientIp(),
            e.userAgent(),
            AuditChain.details(e.details()),
            keyId,
            prevHash,
            null);
    return unsigned.withHash(AuditChain.hash(mac, unsigned));
  }

  private StoredAuditEvent withHash(String h) {
    return new StoredAuditEvent(
        tenantId,
        seq,
        occurredAt,
        actor,
        action,
        target,
        outcome,
        requestId,
        traceId,
        clientIp,
        userAgent,
        details,
        keyId,
        prevHash,
        h);
  }
}
