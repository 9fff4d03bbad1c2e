package io.bulwark.audit;

import java.util.Arrays;
import java.util.Optional;

/** What an audit event records; {@link #wireName()} is what the table and the API show. */
public enum AuditAction {
  TENANT_CREATED("tenant.created"),
  API_KEY_ISSUED("api_key.issued"),
  API_KEY_ROTATED("api_key.rotated"),
  API_KEY_REVOKED("api_key.revoked"),
  API_KEY_ROLES_CHANGED("api_key.roles_changed"),
  AUTHENTICATION_FAILED("authentication.failed"),
  ACCESS_DENIED("access.denied"),
  LIMITS_CHANGED("limits.changed"),
  ACCOUNT_CREATED("account.created"),
  AUDIT_READ("audit.read"),
  AUDIT_VERIFIED("audit.verified"),
  WEBHOOK_CREATED("webhook.created"),
  WEBHOOK_UPDATED("webhook.updated"),
  WEBHOOK_DELETED("webhook.deleted"),
  WEBHOOK_SECRET_ROTATED("webhook.secret_rotated"),
  WEBHOOK_DELIVERY_RESENT("webhook.delivery_resent"),
  WEBHOOK_REPLAYED("webhook.replayed"),
  WEBHOOK_RECOVERY_STARTED("webhook.recovery_started"),
  PROJECTION_REPLAYED("projection.replayed");

  private final String wireName;

  AuditAction(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  public static Optional<AuditAction> parse(String wireName) {
    return Arrays.stream(values()).filter(a -> a.wireName.equals(wireName)).findFirst();
  }
}
